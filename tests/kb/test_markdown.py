"""The article Markdown renderer against link and HTML injection."""

import html
import re
from html.parser import HTMLParser

import pytest

from helpdesk.kb.markdown import markdown_to_text, render_markdown

DANGEROUS = re.compile(r"^(javascript|vbscript|data|file):", re.IGNORECASE)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(source: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(render_markdown(source))
    return collector.tags


def _normalised(url: str) -> str:
    from urllib.parse import unquote

    for _ in range(3):
        url = unquote(html.unescape(url))
    return re.sub(r"[\x00-\x20\x7f-\xa0\u200b-\u200f\u2028\u2029\ufeff]", "", url)


LINK_VARIANTS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](java&#115;cript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](java&#10;script:alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](jav%0Aascript:alert(1))",
    "[x](\u200bjavascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x][r]\n\n[r]: data:text/html,hi",
    "<javascript:alert(1)>",
    "<vbscript:alert(1)>",
    "[x](file:///etc/passwd)",
]


@pytest.mark.parametrize("source", LINK_VARIANTS)
def test_dangerous_link_schemes_never_reach_an_href_or_src(source):
    for _tag, attrs in _tags(source):
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                assert not DANGEROUS.match(_normalised(attrs[name])), (source, attrs)


HTML_VARIANTS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "<div style=background:url(javascript:alert(1))>x</div>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    "<!-- comment --><style>body{}</style>",
    '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
    "`<script>alert(1)</script>`",
]


@pytest.mark.parametrize("source", HTML_VARIANTS)
def test_raw_html_is_shown_as_text_and_no_event_attribute_survives(source):
    output = render_markdown(source)
    tags = _tags(source)
    allowed = {"p", "a", "code", "img", "pre", "em", "strong"}
    assert {tag for tag, _attrs in tags} <= allowed, output
    for _tag, attrs in tags:
        assert not [name for name in attrs if name.lower().startswith("on")], output
        assert "style" not in attrs
    assert "<script" not in output.lower()
    assert "<iframe" not in output.lower() and "<svg" not in output.lower()


def test_ordinary_markdown_renders_with_safe_links():
    output = render_markdown(
        "# Title\n\nSome **bold** and *italic* text, `code`, "
        "[a link](https://example.com/page?a=1), [relative](/kb/other/) and "
        "[mail](mailto:support@example.com).\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h2>Title</h2>" in output  # the page's h1 is the article title
    assert "<strong>bold</strong>" in output and "<em>italic</em>" in output
    assert '<a href="https://example.com/page?a=1" rel="noopener noreferrer nofollow">' in output
    assert 'href="/kb/other/"' in output and 'href="mailto:support@example.com"' in output
    assert "<li>one</li>" in output and "<table>" in output


def test_plain_text_for_the_index_drops_markup_and_link_targets():
    text = markdown_to_text("## Callbacks\n\nSee [the guide](https://example.com/secret-path).")
    assert "Callbacks" in text and "the guide" in text
    assert "secret-path" not in text and "<" not in text
