"""Reads for live chat: the customer's open chat, history, the queue and presence."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from statistics import median
from typing import Any

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_agent, is_customer, is_super_admin
from chat.models import (
    OPEN_STATUSES,
    Conversation,
    ConversationStatus,
    Message,
    MessageAttachment,
    PresenceStatus,
    SpecialistPresence,
)
from chat.payloads import conversation_payload, message_payload
from chat.permissions import can_download_chat_file, can_read_conversation
from helpdesk.tickets.selectors import ticket_open_list_for

# Until there is history to learn from, assume a specialist picks a chat up in a minute.
DEFAULT_WAIT_SECONDS = 60

# One frame (or HTTP page) of history holds at most these: Daphne refuses frames over
# 1 MiB, which a long chat of pasted logs (or a few hundred 4,000-character messages in
# Japanese, six bytes each as JSON) passed, and the console could then not connect at
# all. A client opening a chat gets the newest page ("from_seq" says where it begins;
# earlier pages come by asking "before"); a resuming client gets the oldest page after
# what it holds and asks "after" the last one while "more" is true.
HISTORY_MESSAGES = 200
HISTORY_BYTES = 600_000


def conversation_open_for(*, customer: User) -> Conversation | None:
    return (
        Conversation.objects.select_related("specialist")
        .filter(customer=customer, status__in=OPEN_STATUSES)
        .first()
    )


def conversation_for_participant(*, conversation_id: int, user: User) -> Conversation | None:
    """The conversation if this user is its customer or its specialist, else None."""
    conversation = (
        Conversation.objects.select_related("specialist", "customer", "account")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation and user.pk in (conversation.customer_id, conversation.specialist_id):
        return conversation
    return None


def conversation_readable_by(
    *, conversation_id: int, user: User, session: Mapping[str, Any], user_agent: str
) -> Conversation | None:
    """The conversation if this user may read its history (chat.permissions), else None."""
    conversation = (
        Conversation.objects.select_related("specialist", "customer", "account", "ended_by")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation and can_read_conversation(
        user, conversation=conversation, session=session, user_agent=user_agent
    ):
        return conversation
    return None


def chat_attachment_get_for(
    *, attachment_id: int, user: User, session: Mapping[str, Any], user_agent: str
) -> MessageAttachment | None:
    """A chat file if this user may download it (chat.permissions), else None."""
    attachment = (
        MessageAttachment.objects.select_related("message__conversation")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment and can_download_chat_file(
        user,
        conversation=attachment.message.conversation,
        session=session,
        user_agent=user_agent,
    ):
        return attachment
    return None


def messages_latest_after(
    *, conversation: Conversation, after_seq: int = 0, before_seq: int | None = None, limit: int
) -> list[Message]:
    """The newest `limit` messages after `after_seq` (and before `before_seq`), oldest
    first."""
    newest = conversation.messages.filter(seq__gt=after_seq).select_related("sender", "attachment")
    if before_seq is not None:
        newest = newest.filter(seq__lt=before_seq)
    return list(reversed(newest.order_by("-seq")[:limit]))


def messages_in_order(*, conversation: Conversation) -> QuerySet[Message]:
    """The whole chat, oldest first, with senders: the transcripts (email, ticket)."""
    return conversation.messages.select_related("sender", "attachment").order_by("seq")


def message_history(
    *,
    conversation: Conversation,
    after_seq: int = 0,
    before_seq: int | None = None,
    limit: int = HISTORY_MESSAGES,
    budget: int = HISTORY_BYTES,
) -> dict[str, Any]:
    """The newest messages after `after_seq` (and before `before_seq`) that fit `budget`
    bytes of JSON (at least one), as a frame's "messages", and, if older ones were left
    out, the sequence number they start from ("from_seq"): an opening client's first
    page, or the page before what it shows."""
    newest = messages_latest_after(
        conversation=conversation,
        after_seq=after_seq,
        before_seq=before_seq,
        limit=limit + 1,
    )
    payloads = [message_payload(m) for m in newest]
    kept: list[dict[str, Any]] = []
    size = 0
    for payload in reversed(payloads):
        size += len(json.dumps(payload))
        if kept and (size > budget or len(kept) == limit):
            break
        kept.append(payload)
    kept.reverse()
    # Set only when older messages were left out: where what was sent begins.
    from_seq = kept[0]["seq"] if len(kept) < len(payloads) else None
    return {"messages": kept, "from_seq": from_seq}


def message_page(
    *,
    conversation: Conversation,
    after_seq: int,
    limit: int = HISTORY_MESSAGES,
    budget: int = HISTORY_BYTES,
) -> dict[str, Any]:
    """The oldest messages after `after_seq`, at most `limit` (capped at
    HISTORY_MESSAGES) and `budget` bytes of JSON (at least one), oldest first: a resuming
    client's page. While "more" is true it asks again after "next_after", the last one
    sent, so a client behind by any number gets them all, in order, each once."""
    limit = max(1, min(limit, HISTORY_MESSAGES))
    rows = conversation.messages.filter(seq__gt=after_seq).select_related("sender", "attachment")
    oldest = list(rows.order_by("seq")[: limit + 1])
    kept: list[dict[str, Any]] = []
    size = 0
    for message in oldest[:limit]:
        payload = message_payload(message)
        size += len(json.dumps(payload))
        if kept and size > budget:
            break
        kept.append(payload)
    more = len(kept) < len(oldest)
    return {"messages": kept, "more": more, "next_after": kept[-1]["seq"] if more else None}


def history_page(
    *,
    conversation: Conversation,
    after_seq: int | None = None,
    before_seq: int | None = None,
    limit: int = HISTORY_MESSAGES,
) -> dict[str, Any]:
    """A page of a chat as the sockets and the HTTP endpoint send it, with the chat's
    state (status, who ended it): after `after_seq` ("page": oldest first, "more" and
    "next_after"), or before `before_seq` ("earlier": the newest before it, "from_seq"
    while earlier ones remain)."""
    limit = max(1, min(limit, HISTORY_MESSAGES))
    state = conversation_payload(conversation)
    if before_seq is not None:
        earlier = message_history(conversation=conversation, before_seq=before_seq, limit=limit)
        return {"type": "earlier", "conversation": state, **earlier}
    page = message_page(conversation=conversation, after_seq=after_seq or 0, limit=limit)
    return {"type": "page", "conversation": state, **page}


def specialists_online_count() -> int:
    since = timezone.now() - timedelta(seconds=settings.CHAT_PRESENCE_TIMEOUT_SECONDS)
    return SpecialistPresence.objects.filter(
        status=PresenceStatus.ONLINE, last_seen_at__gte=since, specialist__is_active=True
    ).count()


# Recent waits only: this morning's queue says more about the next wait than last month's.
WAIT_HISTORY_HOURS = 24
WAIT_HISTORY_SIZE = 50


def _typical_wait_seconds(*, now: datetime | None = None) -> float:
    """The median of recent waits: how long chats accepted in the last WAIT_HISTORY_HOURS
    waited, and chats nobody joined (they went to email) count with their whole wait, so
    a day of unanswered chats does not read as a day of short waits."""
    since = (now or timezone.now()) - timedelta(hours=WAIT_HISTORY_HOURS)
    accepted = (
        Conversation.objects.filter(accepted_at__gte=since)
        .order_by("-accepted_at")
        .annotate(waited=F("accepted_at") - F("created_at"))
        .values_list("waited", flat=True)[:WAIT_HISTORY_SIZE]
    )
    unanswered = (
        Conversation.objects.filter(
            status=ConversationStatus.ENDED,
            ended_at__gte=since,
            specialist__isnull=True,
            ended_by__isnull=True,
        )
        .order_by("-ended_at")
        .annotate(waited=F("ended_at") - F("created_at"))
        .values_list("waited", flat=True)[:WAIT_HISTORY_SIZE]
    )
    waits = [w.total_seconds() for w in [*accepted, *unanswered] if w is not None]
    return median(waits) if waits else DEFAULT_WAIT_SECONDS


@dataclass(frozen=True)
class Availability:
    specialists_online: int
    queue_length: int
    # None when nobody is online, or when this customer has waited past the estimate.
    expected_wait_seconds: int | None
    offer_email: bool
    waited_seconds: int = 0
    # Waited longer than CHAT_WAIT_LIMIT_SECONDS, the chat's wait target.
    past_target: bool = False


def availability(*, position: int | None = None, waited_seconds: int = 0) -> Availability:
    """How long a (new, or at `position` having waited `waited_seconds`) customer should
    expect to wait, and whether to offer email instead: nobody online, an expected wait
    over CHAT_LONG_WAIT_SECONDS, or a wait already past the target.

    Each specialist online takes the next chat in turn, so position p waits about
    ceil(p / online) typical waits, less what it has waited already."""
    online = specialists_online_count()
    queue_length = Conversation.objects.filter(status=ConversationStatus.WAITING).count()
    if position is None:
        position = queue_length + 1
    past_target = waited_seconds > settings.CHAT_WAIT_LIMIT_SECONDS
    if not online:
        return Availability(0, queue_length, None, True, waited_seconds, past_target)
    estimate = _typical_wait_seconds() * ceil(position / online)
    remaining: int | None = int(estimate - waited_seconds)
    if waited_seconds and remaining is not None and remaining <= 0:
        remaining = None  # longer than usual already: no number would be honest
    offer = past_target or (remaining is not None and remaining > settings.CHAT_LONG_WAIT_SECONDS)
    return Availability(online, queue_length, remaining, offer, waited_seconds, past_target)


def queue_position(*, conversation: Conversation) -> int | None:
    if conversation.status != ConversationStatus.WAITING:
        return None
    ahead = Conversation.objects.filter(
        status=ConversationStatus.WAITING, created_at__lt=conversation.created_at
    ).count()
    return ahead + 1


def conversations_unanswered_due(*, before: datetime) -> list[int]:
    """Chats still waiting that were sent before `before` (the beat task's selection)."""
    return list(
        Conversation.objects.filter(
            status=ConversationStatus.WAITING, created_at__lte=before
        ).values_list("pk", flat=True)[:500]
    )


def waiting_conversations() -> list[Conversation]:
    return list(
        Conversation.objects.filter(status=ConversationStatus.WAITING)
        .select_related("customer", "account")
        .order_by("created_at")
    )


def conversations_held_by(*, specialist: User) -> list[Conversation]:
    return list(
        Conversation.objects.filter(specialist=specialist, status=ConversationStatus.ACTIVE)
        .select_related("customer", "account")
        .order_by("accepted_at")
    )


def last_seqs(*, conversation_ids: list[int]) -> dict[int, int]:
    """The last sequence number of each conversation: what a client should hold."""
    if not conversation_ids:
        return {}
    return dict(Conversation.objects.filter(pk__in=conversation_ids).values_list("pk", "last_seq"))


def customer_open_tickets(*, customer: User, limit: int = 10) -> list[dict[str, Any]]:
    """The customer's open tickets for the console sidebar."""
    return [
        {"id": t.pk, "subject": t.subject, "status": t.get_status_display()}
        for t in ticket_open_list_for(requester=customer, limit=limit)
    ]


def conversation_list_for(*, user: User) -> QuerySet[Conversation]:
    """Chats this user may read, newest first: agents every chat; a super admin the
    account's; a regular user their own (the rule for tickets and callbacks)."""
    chats = Conversation.objects.select_related("customer", "specialist", "account")
    if is_agent(user):
        return chats.order_by("-created_at", "-id")
    if not is_customer(user):
        return chats.none()
    assert user.account_id is not None  # a customer has an account
    chats = chats.filter(account_id=user.account_id)
    if not is_super_admin(user):
        chats = chats.filter(customer=user)
    return chats.order_by("-created_at", "-id")


def conversation_get_for(*, user: User, conversation_id: int) -> Conversation | None:
    """The chat if this user may read it (conversation_list_for's rule), else None."""
    return conversation_list_for(user=user).filter(pk=conversation_id).first()
