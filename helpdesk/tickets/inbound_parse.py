"""Reading an inbound email: headers, addresses, whether a machine sent it, and its text.
Nothing here touches the database; `inbound.py` decides what the message becomes.

The text is the first text/plain part, or the first text/html part reduced to text
(nh3 drops scripts, styles and every tag but the few that shape paragraphs, then the
rest is read as text): raw HTML from a message is never stored or served."""

import codecs
import re
from dataclasses import dataclass, field
from email import policy
from email.errors import HeaderParseError, MessageDefect
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

import nh3
from mailparser_reply import EmailReplyParser

from helpdesk.tickets.mail import LOOP_HEADER

# Languages whose quote headers ("On … wrote:", "Le … a écrit :", "… さんは書きました:")
# and sign-offs the reply parser recognises: the portal's languages.
REPLY_LANGUAGES = ["en", "fr", "ja"]
# Structural faults after which the parts cannot be trusted.
_FATAL_DEFECTS = {
    "NoBoundaryInMultipartDefect",
    "StartBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
    "MissingHeaderBodySeparatorDefect",
}
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
# Control characters other than tab and newline: the input rule refuses them, and
# they have no place in a ticket (form feeds, escape sequences from a terminal).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)
_BLOCKS = {
    "p", "div", "br", "li", "tr", "table", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
}  # fmt: skip


class UnreadableText(Exception):
    """The declared character set is unknown or does not decode the text."""


class MalformedMessage(Exception):
    pass


@dataclass
class ParsedEmail:
    message_id: str
    sender: str  # the From address, lower-cased
    subject: str
    recipients: list[str]  # To, Cc, Delivered-To, X-Original-To, lower-cased
    references: list[str]  # In-Reply-To then References, newest first
    automatic: str  # "", "auto_reply" or "bounce"
    has_loop_header: bool
    message: EmailMessage = field(repr=False)


def header_key(raw: bytes) -> str:
    """The Message-ID from the headers alone (for a message too large to read)."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[:65536])
    except Exception:
        return ""
    found = _MESSAGE_ID.search(str(headers.get("Message-ID", "")))
    return found.group(0) if found else ""


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (HeaderParseError, ValueError, IndexError):
        raise MalformedMessage(name) from None
    return " ".join(str(value).split()) if value is not None else ""


def _addresses(message: EmailMessage, *names: str) -> list[str]:
    values: list[str] = []
    for name in names:
        try:
            values += [str(v) for v in message.get_all(name, [])]
        except (HeaderParseError, ValueError, IndexError):
            raise MalformedMessage(name) from None
    return [address.lower() for _, address in getaddresses(values) if "@" in address]


def email_parse(raw: bytes, *, limit_to_headers: bool = False) -> ParsedEmail:
    """Parse a message; MalformedMessage when it cannot be read as an email."""
    try:
        if limit_to_headers:
            message = BytesHeaderParser(policy=policy.default).parsebytes(raw)
        else:
            message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:
        raise MalformedMessage(str(exc)) from exc
    assert isinstance(message, EmailMessage)
    defects: list[MessageDefect] = list(message.defects)
    for part in message.walk():
        defects += part.defects
    if any(type(d).__name__ in _FATAL_DEFECTS for d in defects):
        raise MalformedMessage(", ".join(sorted({type(d).__name__ for d in defects})))
    sender = parseaddr(_header(message, "From"))[1].lower()
    if "@" not in sender:
        raise MalformedMessage("From")
    message_id = _MESSAGE_ID.search(_header(message, "Message-ID"))
    references = _MESSAGE_ID.findall(_header(message, "In-Reply-To"))
    references += reversed(_MESSAGE_ID.findall(_header(message, "References")))
    return ParsedEmail(
        message_id=message_id.group(0) if message_id else "",
        sender=sender,
        subject=_header(message, "Subject")[:200],
        recipients=_addresses(message, "To", "Cc", "Delivered-To", "X-Original-To"),
        references=references,
        automatic=_automatic(message, sender),
        has_loop_header=message.get(LOOP_HEADER) is not None,
        message=message,
    )


def _automatic(message: EmailMessage, sender: str) -> str:
    """RFC 3834 and the de-facto headers of auto-responders; bounces by their empty
    Return-Path, their report type or their sender."""
    return_path = _header(message, "Return-Path")
    if return_path.replace(" ", "") == "<>" or message.get_content_type() == "multipart/report":
        return "bounce"
    if sender.partition("@")[0] in _BOUNCE_SENDERS:
        return "bounce"
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return "auto_reply"
    if _header(message, "Precedence").lower() in _AUTOMATIC_PRECEDENCE:
        return "auto_reply"
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return "auto_reply"
    return ""


def _decode(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset()
    if charset is None:
        # Undeclared: UTF-8 if it is, else the Latin-1 that old clients meant.
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("latin-1")
    try:
        codecs.lookup(charset)
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        raise UnreadableText(f"{charset}: {exc}") from exc


def email_text(parsed: ParsedEmail) -> str:
    """The message's text, cleaned of control characters; UnreadableText if its charset
    lies. Attachments are skipped."""
    plain = html = None
    for part in parsed.message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html is None:
            html = part
    if plain is not None:
        text = _decode(plain)
    elif html is not None:
        text = html_to_text(_decode(html))
    else:
        text = ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def email_attachments(parsed: ParsedEmail) -> list[tuple[str, bytes]]:
    """(file name, content) of each attached file; inline parts without a name are text."""
    found = []
    for part in parsed.message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if not name and part.get_content_disposition() != "attachment":
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            found.append((str(name or "attachment"), payload))
    return found


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            self.chunks.append("\n- ")
        elif tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS and tag != "br":
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        self.chunks.append(" ".join(data.split(" ")) if data.strip() else " ")


def html_to_text(html: str) -> str:
    """Readable text from an HTML body: scripts and styles dropped with their content,
    paragraphs and line breaks kept, entities decoded."""
    safe = nh3.clean(html, tags=_BLOCKS, attributes={}, strip_comments=True)
    collector = _TextCollector()
    collector.feed(safe)
    collector.close()
    lines = [" ".join(line.split()) for line in "".join(collector.chunks).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def reply_text(text: str) -> str:
    """The new part of a reply: quoted history and the signature removed."""
    latest = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text=text) or ""
    # The signature separator ("-- ", RFC 3676), which some clients send without its space.
    return _SIGNATURE.split(latest, maxsplit=1)[0].strip()
