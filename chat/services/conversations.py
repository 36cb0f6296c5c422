"""A chat's life: start (with its first message), accept, end, turn into a ticket."""

from collections.abc import Collection
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.assignment import (
    CAPACITY_REACHED,
    CHATS,
    chat_capacity_of,
    specialist_lock,
    specialist_pick_next,
)
from accounts.models import PremiumChannel, User
from accounts.permissions import is_agent
from accounts.selectors import Entitlement, entitlement_for
from chat import notifications, selectors
from chat.models import (
    OPEN_STATUSES,
    Conversation,
    ConversationStatus,
    Message,
    PresenceStatus,
)
from chat.payloads import conversation_payload, conversation_webhook_data, ended_by_role
from chat.services.messages import (
    CHAT_ENDED,
    NOT_A_PARTICIPANT,
    message_clean,
    message_store,
)
from helpdesk.core.outbox.services import outbox_enqueue
from helpdesk.core.ratelimit import rate_limit_give_back, rate_limit_take
from helpdesk.core.realtime import (
    CONSOLE_GROUP,
    QUEUE_GROUP,
    broadcast_on_commit,
    conversation_group,
    user_group,
)
from helpdesk.core.textclean import clean_line, limit_message
from helpdesk.core.timefmt import local_datetime, zone_of
from helpdesk.core.webhooks.events import WebhookEvent
from helpdesk.core.webhooks.services import webhook_emit
from helpdesk.csat.models import RatedKind
from helpdesk.csat.services import survey_open
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.choices import TicketChannel
from sla.inbox import ANSWERED, CHAT, CLAIMED, NEW, inbox_changed
from sla.models import SlaKind, SlaPolicy
from sla.services import next_check_at, warning_time

if TYPE_CHECKING:  # the return type only: chat creates tickets through their service
    from helpdesk.tickets.models import Ticket

TOPIC_MAX = 200

NOT_ENTITLED = _("Premium chat is not available to you.")
STAFF_ONLY = _("Only specialists and leads can use the chat console.")
TOPIC_REQUIRED = _("Tell us what the chat is about.")
TOPIC_TOO_LONG = limit_message(_("Keep the topic to {limit} characters or fewer."), TOPIC_MAX)
ALREADY_OPEN = _("You already have an open chat.")
ALREADY_TAKEN = _("Another specialist has already accepted this chat.")
START_RATE_LIMITED = _(
    "You have started a lot of chats in the last hour. Please wait a little before "
    "starting another, or send us an email instead."
)
TICKET_NOT_YOURS = _("Only the specialist in this chat can turn it into a ticket.")


def _queue_changed() -> None:
    broadcast_on_commit(CONSOLE_GROUP, {"type": "chat.queue_changed"})
    broadcast_on_commit(QUEUE_GROUP, {"type": "chat.queue_changed"})


def conversation_start(
    *,
    customer: User,
    topic: str,
    body: str,
    client_id: str = "",
    entitlement: Entitlement | None = None,
) -> tuple[Conversation, Message]:
    """Open a chat with its first message and put it in the queue."""
    entitlement = entitlement or entitlement_for(user=customer)
    if not entitlement.allows(PremiumChannel.CHAT):
        raise PermissionDenied(NOT_ENTITLED)
    topic = clean_line(
        topic,
        max_length=TOPIC_MAX,
        required_message=TOPIC_REQUIRED,
        too_long_message=TOPIC_TOO_LONG,
    )
    body, client_id = message_clean(body=body, client_id=client_id)
    # Taken before the write and given back if nothing is stored (an open chat, say):
    # starts arriving together each get their own count.
    ident = str(customer.pk)
    if not rate_limit_take(
        scope="chat_start", ident=ident, limit=settings.CHAT_START_RATE_LIMIT_PER_HOUR
    ):
        raise ValidationError(START_RATE_LIMITED)
    try:
        return _conversation_insert(customer=customer, topic=topic, body=body, client_id=client_id)
    except BaseException:
        rate_limit_give_back(scope="chat_start", ident=ident)
        raise


def _conversation_insert(
    *, customer: User, topic: str, body: str, client_id: str
) -> tuple[Conversation, Message]:
    if customer.account_id is None:  # entitled customers have one: for the type checker
        raise PermissionDenied(NOT_ENTITLED)
    now = timezone.now()
    try:
        with transaction.atomic():
            conversation = Conversation(
                account_id=customer.account_id,
                customer=customer,
                topic=topic,
                created_at=now,
                sla_policy=SlaPolicy.CHAT_WAIT,
                sla_kind=SlaKind.GUARANTEED,
                due_at=now + timedelta(seconds=settings.CHAT_WAIT_LIMIT_SECONDS),
            )
            conversation.warn_at = warning_time(start=now, due_at=conversation.due_at)
            conversation.sla_next_check_at = next_check_at(conversation)
            if Conversation.objects.filter(customer=customer, status__in=OPEN_STATUSES).exists():
                raise ValidationError(ALREADY_OPEN)
            # The database enforces one open chat per customer; IntegrityError below.
            conversation.full_clean(validate_constraints=False)
            conversation.save()
            [message] = message_store(
                conversation_id=conversation.pk, sender=customer, items=[(body, client_id)]
            )
            conversation.last_seq = message.seq
            _queue_changed()
            inbox_changed(kind=CHAT, item_id=conversation.pk, change=NEW, title=topic)
            _assign_waiting_on_commit()
            # The customer's other tabs follow the new chat too.
            broadcast_on_commit(
                user_group(customer.pk), {"type": "chat.subscribe", "conversation": conversation.pk}
            )
            webhook_emit(
                event=WebhookEvent.CHAT_STARTED,
                key=f"chat.started:{conversation.pk}",
                data={"chat": conversation_webhook_data(conversation)},
            )
    except IntegrityError as exc:
        # The partial unique index: a second tab (or a resent start) raced this one.
        raise ValidationError(ALREADY_OPEN) from exc
    return conversation, message


def _locked(conversation_id: int) -> Conversation:
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("customer", "account", "specialist")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise PermissionDenied(NOT_A_PARTICIPANT)
    return conversation


def held_chat_counts(specialist_ids: Collection[int]) -> dict[int, int]:
    """Active chats held by each of these specialists."""
    rows = (
        Conversation.objects.filter(
            specialist_id__in=specialist_ids, status=ConversationStatus.ACTIVE
        )
        .values("specialist_id")
        .annotate(n=Count("pk"))
    )
    return {row["specialist_id"]: row["n"] for row in rows}


def _hold(conversation: Conversation, specialist: User, *, automatic: bool) -> None:
    """The chat becomes the specialist's (the conversation's row is locked)."""
    now = timezone.now()
    conversation.status = ConversationStatus.ACTIVE
    conversation.specialist = specialist
    conversation.accepted_at = now
    fields = ["status", "specialist", "accepted_at"]
    if automatic:
        conversation.auto_assigned_at = now
        fields.append("auto_assigned_at")
    conversation.full_clean()
    conversation.save(update_fields=fields)
    inbox_changed(
        kind=CHAT,
        item_id=conversation.pk,
        change=CLAIMED,
        title=conversation.topic,
        assignee_id=specialist.pk,
    )
    broadcast_on_commit(
        conversation_group(conversation.pk),
        {"type": "chat.joined", "conversation": conversation_payload(conversation)},
    )
    # The specialist's console tabs subscribe to the conversation (and show it).
    broadcast_on_commit(
        user_group(specialist.pk),
        {"type": "chat.subscribe", "conversation": conversation.pk},
    )
    _queue_changed()


def conversation_accept(*, conversation_id: int, specialist: User) -> Conversation:
    """A specialist takes a waiting chat, if it is still waiting and they hold fewer chats
    than their capacity."""
    if not is_agent(specialist):
        raise PermissionDenied(STAFF_ONLY)
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if conversation.status == ConversationStatus.ENDED:
            raise ValidationError(CHAT_ENDED)
        if conversation.status != ConversationStatus.WAITING:
            if conversation.specialist_id == specialist.pk:
                return conversation
            raise ValidationError(ALREADY_TAKEN)
        # Locked, so an automatic assignment to them waits for this accept and counts it.
        specialist = specialist_lock(specialist=specialist)
        held = held_chat_counts([specialist.pk]).get(specialist.pk, 0)
        if held >= chat_capacity_of(specialist):
            raise ValidationError(CAPACITY_REACHED % {"count": held})
        _hold(conversation, specialist, automatic=False)
    return conversation


def _online_consoles() -> QuerySet[User]:
    since = timezone.now() - timedelta(seconds=settings.CHAT_PRESENCE_TIMEOUT_SECONDS)
    return User.objects.filter(
        chat_presence__status=PresenceStatus.ONLINE, chat_presence__last_seen_at__gte=since
    )


def conversation_auto_assign(*, conversation_id: int) -> User | None:
    """Give a waiting chat to the next available specialist whose console is open and
    who is under capacity (round robin); None when no one can take it: it waits."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if conversation.status != ConversationStatus.WAITING:
            return None
        pick = specialist_pick_next(pool=CHATS, among=_online_consoles(), load=held_chat_counts)
        if pick is None:
            return None
        _hold(conversation, pick.specialist, automatic=True)
    return pick.specialist


def conversations_waiting_assign() -> int:
    """With AUTO_ASSIGN, hand out waiting chats, oldest first, while someone can take
    them (after a chat starts or ends, or a specialist becomes available). Returns how
    many were assigned."""
    if not settings.AUTO_ASSIGN:
        return 0
    assigned = 0
    waiting = Conversation.objects.filter(status=ConversationStatus.WAITING).order_by(
        "created_at", "pk"
    )
    for conversation_id in waiting.values_list("pk", flat=True)[:100]:
        if conversation_auto_assign(conversation_id=conversation_id) is None:
            break
        assigned += 1
    return assigned


def _assign_waiting_on_commit() -> None:
    if settings.AUTO_ASSIGN:
        transaction.on_commit(conversations_waiting_assign)


def conversation_end(*, conversation_id: int, actor: User) -> Conversation:
    """End a chat (by its customer or specialist) and email the transcript after commit."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if actor.pk not in (conversation.customer_id, conversation.specialist_id):
            raise PermissionDenied(NOT_A_PARTICIPANT)
        if conversation.status == ConversationStatus.ENDED:
            return conversation
        was_waiting = conversation.status == ConversationStatus.WAITING
        conversation.status = ConversationStatus.ENDED
        conversation.ended_at = timezone.now()
        conversation.ended_by = actor
        # An ended chat is no longer waiting for anyone.
        conversation.sla_next_check_at = None
        conversation.save(update_fields=["status", "ended_at", "ended_by", "sla_next_check_at"])
        inbox_changed(
            kind=CHAT,
            item_id=conversation.pk,
            change=ANSWERED,
            title=conversation.topic,
            assignee_id=conversation.specialist_id,
        )
        broadcast_on_commit(
            conversation_group(conversation.pk),
            {
                "type": "chat.ended",
                "conversation": conversation.pk,
                "by": ended_by_role(conversation),
            },
        )
        if was_waiting:
            _queue_changed()
        else:
            _assign_waiting_on_commit()  # a place is free
        webhook_emit(
            event=WebhookEvent.CHAT_ENDED,
            key=f"chat.ended:{conversation.pk}",
            data={"chat": conversation_webhook_data(conversation)},
        )
        if conversation.specialist_id is not None:
            # Only a chat a specialist took part in is rated.
            survey_open(
                kind=RatedKind.CHAT,
                item_id=conversation.pk,
                customer=conversation.customer,
                specialist=conversation.specialist,
            )
        outbox_enqueue(
            kind=notifications.CHAT_TRANSCRIPT,
            key=f"{notifications.CHAT_TRANSCRIPT}:{conversation.pk}",
            payload={"conversation_id": conversation.pk},
        )
    return conversation


def _transcript_text(conversation: Conversation) -> str:
    """The chat as a ticket's description: in English like the rest of the text, its times
    in the customer's own zone and the portal's one style (helpdesk/formats)."""
    zone = zone_of(conversation.customer.time_zone).key
    lines = [
        f"[{local_datetime(m.created_at, zone)}] {m.sender.get_full_name()}: {m.body}"
        for m in selectors.messages_in_order(conversation=conversation)
    ]
    text = f"Transcript of Premium chat #{conversation.pk} (times in {zone})\n\n" + "\n".join(lines)
    limit = ticket_services.DESCRIPTION_MAX
    return text if len(text) <= limit else text[: limit - 1] + "…"


def conversation_ticket_create(*, conversation_id: int, specialist: User) -> "Ticket":
    """Turn a chat into an email ticket for its customer, with the transcript as the
    description. Once: asking again returns the same ticket."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if not is_agent(specialist) or conversation.specialist_id != specialist.pk:
            raise PermissionDenied(TICKET_NOT_YOURS)
        existing = conversation.ticket if conversation.ticket_id else None
        if existing is not None:
            return existing
        ticket = ticket_services.ticket_create(
            requester=conversation.customer,
            channel=TicketChannel.CHAT,
            subject=conversation.topic,
            description=_transcript_text(conversation),
            created_by=specialist,
        )
        conversation.ticket = ticket
        conversation.save(update_fields=["ticket"])
        broadcast_on_commit(
            conversation_group(conversation.pk),
            {"type": "chat.ticket", "conversation": conversation.pk, "ticket": ticket.pk},
        )
    return ticket
