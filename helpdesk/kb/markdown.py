"""Article bodies: Markdown rendered to safe HTML.

Two layers, so one mistake does not open a hole: markdown-it-py parses with raw HTML
disabled (any tag in the source is shown as text) and with its own link validation,
then Ammonia (nh3) keeps only an allow-list of tags, attributes and URL schemes.
No `javascript:`, `vbscript:` or `data:` URL and no event attribute survives."""

import html
import re
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "em",
        "h2",
        "h3",
        "h4",
        "hr",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
# Relative links (other articles, portal pages) are kept; absolute ones only with these.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

_INVISIBLE = re.compile(
    r"[\x00-\x20\x7f-\xa0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]"
)


def _safe_url(value: str) -> bool:
    """Defence in depth behind nh3's scheme check: refuse any URL that spells a scheme
    other than the allowed ones once entities, %-escapes and invisible characters are
    removed (browsers drop tabs and newlines inside a scheme)."""
    decoded = value
    for _ in range(3):
        decoded = unquote(html.unescape(decoded))
    decoded = _INVISIBLE.sub("", decoded).lower()
    scheme, colon, _rest = decoded.partition(":")
    if not colon or "/" in scheme or "?" in scheme or "#" in scheme:
        return True
    return scheme in ALLOWED_URL_SCHEMES


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in {"href", "src"} and not _safe_url(value):
        return None
    return value


_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable(["table", "strikethrough"])


def render_markdown(source: str) -> str:
    """Safe HTML for an article body."""
    # Headings start at h2: the article title is the page's h1.
    rendered = _parser.render(source or "")
    for level in (5, 4, 3, 2, 1):
        rendered = rendered.replace(f"<h{level}>", f"<h{min(level + 1, 4)}>").replace(
            f"</h{level}>", f"</h{min(level + 1, 4)}>"
        )
    return nh3.clean(
        rendered,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_filter_attribute,
    )


def markdown_to_text(source: str) -> str:
    """The words of an article body, without markup or link targets (for the search index)."""
    return html.unescape(nh3.clean(_parser.render(source or ""), tags=set()))
