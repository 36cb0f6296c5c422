"""Live chat services: every write, each stored first and broadcast after commit
(through helpdesk.core.realtime). By concern: `messages` (the one message path and
delivery marks), `conversations` (start, accept, end, ticket), `presence` (specialists'
presence, a user's sockets closed or re-checked). Callers import them from here."""

from chat.services.attachments import message_attach
from chat.services.conversations import (
    ALREADY_OPEN,
    ALREADY_TAKEN,
    NOT_ENTITLED,
    STAFF_ONLY,
    START_RATE_LIMITED,
    TICKET_NOT_YOURS,
    TOPIC_MAX,
    TOPIC_REQUIRED,
    TOPIC_TOO_LONG,
    conversation_accept,
    conversation_auto_assign,
    conversation_end,
    conversation_start,
    conversation_ticket_create,
    conversations_waiting_assign,
    held_chat_counts,
)
from chat.services.messages import (
    BAD_CLIENT_ID,
    CHAT_ENDED,
    CLIENT_ID_MAX,
    MESSAGE_MAX,
    MESSAGE_REQUIRED,
    MESSAGE_TOO_LONG,
    NOT_A_PARTICIPANT,
    amessage_store,
    delivery_mark,
    message_clean,
    message_store,
    seen_mark,
)
from chat.services.presence import (
    account_access_recheck,
    presence_choose,
    presence_set,
    user_access_recheck,
    user_sockets_close,
)
from chat.services.unanswered import (
    conversation_unanswered_to_ticket,
    conversations_unanswered_convert,
)

__all__ = [
    "message_attach",
    "ALREADY_OPEN",
    "ALREADY_TAKEN",
    "BAD_CLIENT_ID",
    "CHAT_ENDED",
    "CLIENT_ID_MAX",
    "MESSAGE_MAX",
    "MESSAGE_REQUIRED",
    "MESSAGE_TOO_LONG",
    "NOT_A_PARTICIPANT",
    "NOT_ENTITLED",
    "STAFF_ONLY",
    "START_RATE_LIMITED",
    "TICKET_NOT_YOURS",
    "TOPIC_MAX",
    "TOPIC_REQUIRED",
    "TOPIC_TOO_LONG",
    "account_access_recheck",
    "amessage_store",
    "conversation_accept",
    "conversation_auto_assign",
    "conversation_end",
    "conversation_start",
    "conversation_ticket_create",
    "conversations_waiting_assign",
    "held_chat_counts",
    "conversation_unanswered_to_ticket",
    "conversations_unanswered_convert",
    "delivery_mark",
    "message_clean",
    "message_store",
    "presence_choose",
    "presence_set",
    "seen_mark",
    "user_access_recheck",
    "user_sockets_close",
]
