"""The IMAP transport: one poll of the support mailbox (INBOUND_IMAP_URL). Each message
is handed to `inbound_email_receive`, then flagged \\Seen and moved to
INBOUND_IMAP_DONE_FOLDER, so the inbox holds only what is still to do. Two pollers that
fetch the same message both hand it over; the inbound log's unique key lets one process
it. A message over INBOUND_MAX_BYTES is read by its headers only."""

import contextlib
import imaplib
import logging
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import MailboxFolderCreateError

from helpdesk.tickets.inbound import inbound_email_receive

logger = logging.getLogger(__name__)

NOT_CONFIGURED = "INBOUND_IMAP_URL is not set: there is no mailbox to poll."
BAD_URL = (
    "INBOUND_IMAP_URL must look like imaps://user:password@host:993/INBOX "
    "(imap:// for plain, imap+starttls:// for STARTTLS)."
)
_PORTS = {"imaps": 993, "imap": 143, "imap+starttls": 143}


@dataclass(frozen=True)
class ImapConfig:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    folder: str


@dataclass
class PollResult:
    seen: int = 0
    processed: int = 0
    skipped: int = 0  # processed before (another poller, an interrupted poll)
    errors: int = 0


def imap_config(url: str) -> ImapConfig:
    if not url:
        raise ValueError(NOT_CONFIGURED)
    parts = urlsplit(url)
    if parts.scheme not in _PORTS or not parts.hostname or not parts.username:
        raise ValueError(BAD_URL)
    try:
        port = parts.port or _PORTS[parts.scheme]
    except ValueError:
        raise ValueError(BAD_URL) from None
    return ImapConfig(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def _connect(config: ImapConfig) -> BaseMailBox:
    timeout = 30
    if config.scheme == "imaps":
        box: BaseMailBox = MailBox(
            config.host, config.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    elif config.scheme == "imap+starttls":
        box = MailBoxStartTls(
            config.host, config.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    else:
        box = MailBoxUnencrypted(config.host, config.port, timeout=timeout)
    return box.login(config.user, config.password, initial_folder=config.folder)


def _raw(box: BaseMailBox, uid: str, *, headers_only: bool) -> tuple[bytes, int] | None:
    part = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
    status, data = box.client.uid("FETCH", uid, f"(RFC822.SIZE {part})")
    for item in data if status == "OK" else []:
        if isinstance(item, tuple):
            size = int(item[0].split(b"RFC822.SIZE ")[1].split()[0].rstrip(b")"))
            return item[1], size
    return None  # gone: another poller moved it


def _sizes(box: BaseMailBox, uids: list[str]) -> dict[str, int]:
    status, data = box.client.uid("FETCH", ",".join(uids), "(RFC822.SIZE)")
    sizes = {}
    for item in data if status == "OK" else []:
        if isinstance(item, bytes) and b"RFC822.SIZE" in item:
            uid = item.split(b"UID ")[1].split()[0].rstrip(b")").decode()
            sizes[uid] = int(item.split(b"RFC822.SIZE ")[1].split()[0].rstrip(b")"))
    return sizes


def inbound_poll(*, url: str | None = None) -> PollResult:
    """One cycle: take up to INBOUND_POLL_BATCH_SIZE messages from the folder."""
    config = imap_config(url if url is not None else settings.INBOUND_IMAP_URL)
    result = PollResult()
    done = settings.INBOUND_IMAP_DONE_FOLDER
    with _connect(config) as box:
        if not box.folder.exists(done):
            with contextlib.suppress(MailboxFolderCreateError):  # another poller made it
                box.folder.create(done)
        uids = list(box.uids("ALL"))[: settings.INBOUND_POLL_BATCH_SIZE]
        sizes = _sizes(box, uids) if uids else {}
        for uid in uids:
            result.seen += 1
            try:
                big = sizes.get(uid, 0) > settings.INBOUND_MAX_BYTES
                fetched = _raw(box, uid, headers_only=big)
                if fetched is None:
                    result.skipped += 1
                    continue
                raw, size = fetched
                row = inbound_email_receive(raw=raw, transport="imap", size=size)
                result.processed += row is not None
                result.skipped += row is None
                box.flag(uid, r"\Seen", True)
                box.move(uid, done)
            except (imaplib.IMAP4.error, OSError):
                # The connection is in doubt: what was claimed stays claimed; the next
                # poll moves it along.
                logger.exception("inbound: IMAP error on message %s", uid)
                result.errors += 1
                break
    return result
