"""What the chat sockets say and read besides messages: error texts, close codes, the
flood limit, the page's language, and the checks on ids in frames.

Frames in and out are JSON objects with a "type". Every refusal is an "error" frame with
a code and a message (constants below); the socket stays open unless the user lost the
right to be there."""

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, trans_real

from chat.services import NOT_A_PARTICIPANT

# Larger frames are refused before parsing: a message is at most 4,000 characters,
# which is at most 24 kB of JSON even if every character is escaped.
FRAME_MAX = 32_000

MALFORMED = gettext_lazy("That frame was not a JSON object with a type.")
TEXT_ONLY = gettext_lazy("Send text frames only.")
UNKNOWN_TYPE = gettext_lazy("Unknown frame type.")
RATE_LIMITED = gettext_lazy("You are sending too fast. Wait a few seconds, then try again.")
NO_OPEN_CHAT = gettext_lazy("You have no open chat.")
SESSION_ENDED = gettext_lazy("You were signed out, so this chat connection was closed.")
ACCESS_LOST = gettext_lazy("Premium chat is no longer available to you.")
SERVICE_UNAVAILABLE = gettext_lazy(
    "Chat is briefly unavailable. Your message was not sent; try again."
)

# Close codes (4000-4999 are the application's): the client does not reconnect after
# these two, because reconnecting would be refused again.
CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN = 4403
# The client reconnects after this one and resumes: the socket missed group events.
CLOSE_RESUME = 4503

# Ids and sequence numbers are 64-bit columns: anything larger is a malformed frame, not
# a database error.
ID_MAX = 2**63 - 1


class _Window:
    """A fixed-window frame counter per user, shared by that user's sockets in this
    process. In process on purpose: it keeps working when Redis is down, and costs
    nothing per frame."""

    def __init__(self) -> None:
        self.counts: dict[int, tuple[int, int]] = {}

    def allow(self, user_id: int) -> bool:
        window = settings.CHAT_RATE_LIMIT_WINDOW_SECONDS
        current = int(time.monotonic() // window)
        start, count = self.counts.get(user_id, (current, 0))
        if start != current:
            start, count = current, 0
        if count >= settings.CHAT_RATE_LIMIT_FRAMES:
            return False
        self.counts[user_id] = (start, count + 1)
        if len(self.counts) > 10_000:  # forget stale windows now and then
            self.counts = {k: v for k, v in self.counts.items() if v[0] == current}
        return True


rate_limiter = _Window()


def _headers(scope: dict) -> dict[str, str]:
    return {k.decode("latin1").lower(): v.decode("latin1") for k, v in scope.get("headers", [])}


def user_agent(scope: dict) -> str:
    return _headers(scope).get("user-agent", "")


def scope_language(scope: dict) -> str:
    """The language the page chose (the language cookie, else Accept-Language), as
    LocaleMiddleware would pick it: error frames are read by the same person."""
    cookie = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
    wanted = [cookie] if cookie else []
    accept = _headers(scope).get("accept-language", "")
    wanted += [code for code, _ in trans_real.parse_accept_lang_header(accept)]
    for code in wanted:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or NOT_A_PARTICIPANT


def error_frame(code: str, message: str, client_id: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": str(message), "client_id": client_id}


def seq_of(frame: dict, key: str = "after_seq") -> int:
    value = frame.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= ID_MAX:
        raise ValueError(key)
    return value


def page_bounds(frame: dict) -> dict[str, int | None]:
    """A "history" frame's page: after "after_seq" (the next page of a resume), or
    before "before_seq" (earlier messages than the client shows)."""
    if "before_seq" in frame:
        return {"after_seq": None, "before_seq": seq_of(frame, "before_seq")}
    return {"after_seq": seq_of(frame), "before_seq": None}


def conversation_id_of(frame: dict) -> int:
    value = frame.get("conversation")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= ID_MAX:
        raise ValueError("conversation")
    return value


def ticket_link(ticket_id: int) -> dict[str, Any]:
    return {"id": ticket_id, "url": reverse("admin:tickets_ticket_change", args=[ticket_id])}
