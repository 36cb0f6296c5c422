"""Live chat services: every write, each stored first and broadcast after commit."""

import asyncio
import logging
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import psycopg
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import PremiumChannel, User
from accounts.permissions import is_agent
from accounts.selectors import Entitlement, entitlement_for
from chat import tasks
from chat.models import (
    OPEN_STATUSES,
    Conversation,
    ConversationStatus,
    Message,
    PresenceStatus,
    SenderRole,
    SpecialistPresence,
)
from helpdesk.core import async_db
from helpdesk.core.ratelimit import rate_limit_give_back, rate_limit_take
from helpdesk.core.realtime import (
    CONSOLE_GROUP,
    QUEUE_GROUP,
    account_group,
    broadcast_collected,
    broadcast_on_commit,
    call_message_service,
    conversation_group,
    user_group,
)
from helpdesk.core.textclean import clean_line, clean_text, limit_message
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.choices import TicketChannel

if TYPE_CHECKING:  # the return type only: chat creates tickets through their service
    from helpdesk.tickets.models import Ticket
from sla.models import SlaKind, SlaPolicy
from sla.services import next_check_at, warning_time

logger = logging.getLogger(__name__)

MESSAGE_MAX = 4000
TOPIC_MAX = 200
CLIENT_ID_MAX = 64

NOT_ENTITLED = _("Premium chat is not available to you.")
STAFF_ONLY = _("Only specialists and leads can use the chat console.")
TOPIC_REQUIRED = _("Tell us what the chat is about.")
TOPIC_TOO_LONG = limit_message(_("Keep the topic to {limit} characters or fewer."), TOPIC_MAX)
MESSAGE_REQUIRED = _("Write a message.")
MESSAGE_TOO_LONG = limit_message(
    _("Keep each message to {limit} characters or fewer."), MESSAGE_MAX
)
ALREADY_OPEN = _("You already have an open chat.")
NOT_A_PARTICIPANT = _("This chat is not yours.")
CHAT_ENDED = _("This chat has ended.")
ALREADY_TAKEN = _("Another specialist has already accepted this chat.")
BAD_CLIENT_ID = _("Invalid message id.")
START_RATE_LIMITED = _(
    "You have started a lot of chats in the last hour. Please wait a little before "
    "starting another, or send us an email instead."
)


def _clean_body(body: Any) -> str:
    if not isinstance(body, str):
        raise ValidationError(MESSAGE_REQUIRED)
    return clean_text(
        body,
        max_length=MESSAGE_MAX,
        required_message=MESSAGE_REQUIRED,
        too_long_message=MESSAGE_TOO_LONG,
    )


def _clean_client_id(client_id: Any) -> str:
    if client_id is None:
        return ""
    if not isinstance(client_id, str):
        raise ValidationError(BAD_CLIENT_ID)
    return clean_line(client_id, max_length=CLIENT_ID_MAX, too_long_message=BAD_CLIENT_ID)


def message_payload(message: Message) -> dict[str, Any]:
    return {
        "conversation": message.conversation_id,
        "seq": message.seq,
        "body": message.body,
        "sender_role": message.sender_role,
        "sender_name": message.sender.get_short_name(),
        "client_id": message.client_id,
        "created_at": message.created_at.isoformat(),
    }


def conversation_payload(conversation: Conversation) -> dict[str, Any]:
    specialist = conversation.specialist
    return {
        "id": conversation.pk,
        "topic": conversation.topic,
        "status": conversation.status,
        "customer_name": conversation.customer.get_full_name(),
        "account_name": conversation.account.name,
        "specialist_name": specialist.get_short_name() if specialist else "",
        "created_at": conversation.created_at.isoformat(),
        "last_seq": conversation.last_seq,
        "customer_delivered_seq": conversation.customer_delivered_seq,
        "specialist_delivered_seq": conversation.specialist_delivered_seq,
    }


def _queue_changed() -> None:
    broadcast_on_commit(CONSOLE_GROUP, {"type": "chat.queue_changed"})
    broadcast_on_commit(QUEUE_GROUP, {"type": "chat.queue_changed"})


def _append(
    conversation: Conversation, *, sender: User, role: SenderRole, body: str, client_id: str
) -> Message:
    """Store the next message of a locked conversation and announce it after commit."""
    now = timezone.now()
    conversation.last_seq += 1
    message = Message(
        conversation=conversation,
        seq=conversation.last_seq,
        sender=sender,
        sender_role=role,
        body=body,
        client_id=client_id,
        created_at=now,
    )
    message.save()
    fields = ["last_seq"]
    if role == SenderRole.SPECIALIST and conversation.answered_at is None:
        # The first specialist message stops the wait clock.
        conversation.answered_at = now
        conversation.sla_next_check_at = None
        fields += ["answered_at", "sla_next_check_at"]
    conversation.save(update_fields=fields)
    broadcast_on_commit(
        conversation_group(conversation.pk),
        {"type": "chat.message", "message": message_payload(message)},
    )
    return message


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
    body = _clean_body(body)
    client_id = _clean_client_id(client_id)
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
            message = _append(
                conversation,
                sender=customer,
                role=SenderRole.CUSTOMER,
                body=body,
                client_id=client_id,
            )
            _queue_changed()
            # The customer's other tabs follow the new chat too.
            broadcast_on_commit(
                user_group(customer.pk), {"type": "chat.subscribe", "conversation": conversation.pk}
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


def _take_seqs_sql(
    conversation_id: int, sender: User, count: int, now: datetime
) -> tuple[str, list]:
    """UPDATE … RETURNING that hands out the next `count` sequence numbers of an open
    conversation the sender takes part in, locking its row until commit, and stops the
    wait clock at the first specialist message (a sender who is not the customer)."""
    table = connection.ops.quote_name(Conversation._meta.db_table)
    now = Conversation._meta.get_field("answered_at").get_db_prep_save(now, connection)
    first_answer = "answered_at IS NULL AND customer_id <> %s"
    sql = (
        f"UPDATE {table} SET last_seq = last_seq + %s, "  # noqa: S608 - table name only
        f"answered_at = CASE WHEN {first_answer} THEN %s ELSE answered_at END, "
        f"sla_next_check_at = CASE WHEN {first_answer} THEN NULL ELSE sla_next_check_at END "
        "WHERE id = %s AND status IN (%s, %s) AND (customer_id = %s OR specialist_id = %s) "
        "RETURNING last_seq, customer_id"
    )
    params = [count, sender.pk, now, sender.pk, conversation_id, *OPEN_STATUSES]
    return sql, [*params, sender.pk, sender.pk]


def _take_seqs(conversation_id: int, sender: User, count: int, now: datetime) -> tuple | None:
    """Run `_take_seqs_sql`: (last_seq, customer_id), or None if the sender may not
    write there. One statement, on SQLite and PostgreSQL alike: every message's path."""
    with connection.cursor() as cursor:
        cursor.execute(*_take_seqs_sql(conversation_id, sender, count, now))
        return cursor.fetchone()


_MESSAGE_COLUMNS = ("conversation_id", "seq", "sender_id", "sender_role", "body", "client_id")


def _insert(message: Message) -> None:
    """INSERT one message, as Model.save(force_insert=True) would, without its
    per-call machinery (signals, field walks, SQL compilation): on every message's path,
    where it was most of the write's time (bench/)."""
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(Message._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = [f.get_db_prep_save(getattr(message, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names from the model only
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id",
            values,
        )
        message.pk = cursor.fetchone()[0]
    message._state.adding = False
    message._state.db = connection.alias


def _take_seq_and_insert_sql(message: Message, sender: User) -> tuple[str, list]:
    """PostgreSQL: `_take_seqs` and `_insert` as one statement (a data-modifying WITH),
    so outside a transaction a message is one round trip, with no BEGIN or COMMIT, and
    still all or nothing. Returns (id, seq, sender_role), or no row if the sender may not
    write there."""
    take, take_params = _take_seqs_sql(message.conversation_id, sender, 1, message.created_at)
    table = connection.ops.quote_name(Message._meta.db_table)
    created_at = Message._meta.get_field("created_at").get_db_prep_save(
        message.created_at, connection
    )
    return (
        f"WITH taken AS ({take}) "  # noqa: S608 - table names only
        f"INSERT INTO {table} ({', '.join(_MESSAGE_COLUMNS)}, created_at) "
        "SELECT %s, last_seq, %s, CASE WHEN customer_id = %s THEN %s ELSE %s END, %s, %s, %s "
        "FROM taken RETURNING id, seq, sender_role",
        [
            *take_params,
            message.conversation_id,
            sender.pk,
            sender.pk,
            SenderRole.CUSTOMER,
            SenderRole.SPECIALIST,
            message.body,
            message.client_id,
            created_at,
        ],
    )


def _stored(message: Message, row: tuple) -> Message:
    message.pk, message.seq, message.sender_role = row
    message._state.adding = False
    message._state.db = connection.alias
    return message


def _take_seq_and_insert(message: Message, sender: User) -> bool:
    """Run `_take_seq_and_insert_sql`: fills in the message's seq, role and id; False if
    the sender may not write there."""
    with connection.cursor() as cursor:
        cursor.execute(*_take_seq_and_insert_sql(message, sender))
        row = cursor.fetchone()
    if row is None:
        return False
    _stored(message, row)
    return True


async def message_send_direct(
    *, conversation_id: int, sender: User, body: str, client_id: str = ""
) -> Message | None:
    """`message_send` for the common case, from the event loop, on PostgreSQL: the same
    one statement over the loop's own connection (helpdesk.core.async_db), without the
    database thread. Announced once stored, as `message_send` does after commit.

    None whenever `message_send` must decide instead, and nothing is stored then: another
    database, a resend of a stored client_id, a sender who may not write there, or any
    database error (the broken connection is dropped)."""
    if not async_db.available():
        return None
    message = Message(
        conversation_id=conversation_id,
        sender=sender,
        body=_clean_body(body),
        client_id=_clean_client_id(client_id),
        created_at=timezone.now(),
    )
    sql, params = _take_seq_and_insert_sql(message, sender)
    conn = None
    try:
        conn = await async_db.connection()
        async with asyncio.timeout(async_db.STATEMENT_SECONDS), conn.cursor() as cursor:
            await cursor.execute(sql, params)
            row = await cursor.fetchone()
    except psycopg.errors.UniqueViolation:
        return None  # a resend: message_send returns the stored one
    except (psycopg.Error, TimeoutError):
        logger.warning("direct chat write failed; using the ORM path", exc_info=True)
        if conn is not None:
            await async_db.discard(conn)
        return None
    if row is None:
        return None  # refused: message_send says why
    _stored(message, row)
    # Autocommit: the row is committed, so it may be announced now.
    await broadcast_collected(
        [
            (
                conversation_group(conversation_id),
                {"type": "chat.message", "message": message_payload(message)},
            )
        ]
    )
    return message


def message_send(*, conversation_id: int, sender: User, body: str, client_id: str = "") -> Message:
    """Store a message as the next of its conversation. A message re-sent with the same
    client_id (after a lost connection) returns the stored one instead of a copy.

    Every chat message takes this path, so it is two statements in a transaction on
    SQLite (UPDATE … RETURNING that checks the sender and the status, hands out the next
    number and locks the row; INSERT), one statement on PostgreSQL (bench/ measured the
    heavier ORM versions)."""
    body = _clean_body(body)
    client_id = _clean_client_id(client_id)
    message = Message(
        conversation_id=conversation_id,
        sender=sender,
        body=body,
        client_id=client_id,
        created_at=timezone.now(),
    )
    one_statement = connection.vendor == "postgresql"
    try:
        # One statement is atomic by itself; inside a caller's transaction, a savepoint
        # keeps a refused duplicate from breaking it.
        with (
            transaction.atomic()
            if not one_statement or connection.in_atomic_block
            else nullcontext()
        ):
            if one_statement:
                stored = _take_seq_and_insert(message, sender)
            else:
                taken = _take_seqs(conversation_id, sender, 1, message.created_at)
                if stored := taken is not None:
                    message.seq, customer_id = taken
                    message.sender_role = (
                        SenderRole.CUSTOMER if sender.pk == customer_id else SenderRole.SPECIALIST
                    )
                    _insert(message)
            if not stored:
                return _resent(conversation_id, sender, client_id) or _refuse(
                    conversation_id, sender
                )
            broadcast_on_commit(
                conversation_group(conversation_id),
                {"type": "chat.message", "message": message_payload(message)},
            )
            return message
    except IntegrityError:
        # The unique (conversation, sender, client_id): a resend of a stored message.
        existing = _resent(conversation_id, sender, client_id)
        if existing is None:
            raise
        return existing


async def message_store(
    *, conversation_id: int, sender: User, items: list[tuple[str, str]]
) -> list[Message]:
    """Store and announce what a socket received, in order (its one writer calls this
    with what queued up meanwhile): a single message from the event loop on PostgreSQL
    (`message_send_direct`); otherwise, and whenever that leaves the case to
    `message_send`, `message_send_many` in the database thread. Every message returned
    has its sender set, for the acknowledgement."""
    if len(items) == 1:
        body, client_id = items[0]
        message = await message_send_direct(
            conversation_id=conversation_id, sender=sender, body=body, client_id=client_id
        )
        if message is not None:
            return [message]
    messages = await call_message_service(
        message_send_many, conversation_id=conversation_id, sender=sender, items=items
    )
    for message in messages:
        message.sender = sender  # resends come from the database without it
    return messages


def message_clean(*, body: Any, client_id: Any) -> tuple[str, str]:
    """Validate a message before it is queued for storing (raises ValidationError)."""
    return _clean_body(body), _clean_client_id(client_id)


def message_send_many(
    *, conversation_id: int, sender: User, items: list[tuple[str, str]]
) -> list[Message]:
    """Store several messages of one sender in one transaction, in order: what a socket
    received while its previous write was in flight (group commit, see bench/). Items
    are (body, client_id) pairs already cleaned by `message_clean`. If any is a resend,
    fall back to storing them one by one, which handles resends."""
    if len(items) == 1:
        body, client_id = items[0]
        return [
            message_send(
                conversation_id=conversation_id, sender=sender, body=body, client_id=client_id
            )
        ]
    now = timezone.now()
    try:
        with transaction.atomic():
            taken = _take_seqs(conversation_id, sender, len(items), now)
            if taken is None:
                raise IntegrityError("fall back")
            last, customer_id = taken
            role = SenderRole.CUSTOMER if sender.pk == customer_id else SenderRole.SPECIALIST
            first = last - len(items) + 1
            messages = Message.objects.bulk_create(
                [
                    Message(
                        conversation_id=conversation_id,
                        seq=first + n,
                        sender=sender,
                        sender_role=role,
                        body=body,
                        client_id=client_id,
                        created_at=now,
                    )
                    for n, (body, client_id) in enumerate(items)
                ]
            )
            # One event for the batch: one trip through the channel layer, not n.
            broadcast_on_commit(
                conversation_group(conversation_id),
                {"type": "chat.messages", "messages": [message_payload(m) for m in messages]},
            )
            return messages
    except IntegrityError:
        return [
            message_send(
                conversation_id=conversation_id, sender=sender, body=body, client_id=client_id
            )
            for body, client_id in items
        ]


def _resent(conversation_id: int, sender: User, client_id: str) -> Message | None:
    if not client_id:
        return None
    return Message.objects.filter(
        conversation_id=conversation_id, sender=sender, client_id=client_id
    ).first()


def _refuse(conversation_id: int, sender: User) -> Message:
    row = Conversation.objects.filter(pk=conversation_id).values("customer_id", "specialist_id")
    row = row.first()
    if row is None or sender.pk not in (row["customer_id"], row["specialist_id"]):
        raise PermissionDenied(NOT_A_PARTICIPANT)
    raise ValidationError(CHAT_ENDED)


def conversation_accept(*, conversation_id: int, specialist: User) -> Conversation:
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
        conversation.status = ConversationStatus.ACTIVE
        conversation.specialist = specialist
        conversation.accepted_at = timezone.now()
        conversation.full_clean()
        conversation.save(update_fields=["status", "specialist", "accepted_at"])
        broadcast_on_commit(
            conversation_group(conversation.pk),
            {"type": "chat.joined", "conversation": conversation_payload(conversation)},
        )
        # The specialist's other console tabs subscribe to the conversation too.
        broadcast_on_commit(
            user_group(specialist.pk),
            {"type": "chat.subscribe", "conversation": conversation.pk},
        )
        _queue_changed()
    return conversation


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
        broadcast_on_commit(
            conversation_group(conversation.pk),
            {
                "type": "chat.ended",
                "conversation": conversation.pk,
                "by": "customer" if actor.pk == conversation.customer_id else "specialist",
            },
        )
        if was_waiting:
            _queue_changed()
        pk = conversation.pk
        transaction.on_commit(lambda: tasks.chat_transcript_email.delay(pk))
    return conversation


def delivery_mark(*, conversation_id: int, user: User, seq: int) -> bool:
    """Record that this participant's client received everything up to `seq`. One
    conditional update: acks arriving out of order never move the mark back."""
    conversation = Conversation.objects.filter(pk=conversation_id).values(
        "customer_id", "specialist_id", "last_seq"
    )
    row = conversation.first()
    if row is None or user.pk not in (row["customer_id"], row["specialist_id"]):
        raise PermissionDenied(NOT_A_PARTICIPANT)
    seq = min(int(seq), row["last_seq"])
    is_customer = user.pk == row["customer_id"]
    field = "customer_delivered_seq" if is_customer else "specialist_delivered_seq"
    with transaction.atomic():
        changed = Conversation.objects.filter(pk=conversation_id, **{f"{field}__lt": seq}).update(
            **{field: seq}
        )
        if changed:
            broadcast_on_commit(
                conversation_group(conversation_id),
                {
                    "type": "chat.delivery",
                    "conversation": conversation_id,
                    "role": "customer" if field == "customer_delivered_seq" else "specialist",
                    "seq": seq,
                },
            )
    return bool(changed)


def presence_set(*, specialist: User, status: PresenceStatus) -> SpecialistPresence:
    """Heartbeat and status of a specialist's console. Announced only on a change."""
    status = PresenceStatus(status)
    with transaction.atomic():
        presence, created = SpecialistPresence.objects.select_for_update().get_or_create(
            specialist=specialist, defaults={"status": status}
        )
        changed = created or presence.status != status
        presence.status = status
        presence.last_seen_at = timezone.now()
        presence.save(update_fields=["status", "last_seen_at"])
        if changed:
            # Waiting customers' expected wait and the email offer depend on it.
            broadcast_on_commit(QUEUE_GROUP, {"type": "chat.queue_changed"})
    return presence


def user_sockets_close(*, user_id: int) -> None:
    """Close every chat socket of this user, on every server (logout, deactivation)."""
    broadcast_on_commit(user_group(user_id), {"type": "chat.force_disconnect"})


def user_access_recheck(*, user_id: int) -> None:
    """Ask every socket of this user (chat, console, staff alerts), on every server, to
    re-check its rights now: a role, staff status, group, password or second factor
    changed."""
    broadcast_on_commit(user_group(user_id), {"type": "chat.recheck"})


def account_access_recheck(*, account_id: int) -> None:
    """Ask the account's open sockets to re-check entitlement (purchase or plan changed)."""
    broadcast_on_commit(account_group(account_id), {"type": "chat.recheck"})


TICKET_NOT_YOURS = _("Only the specialist in this chat can turn it into a ticket.")


def _transcript_text(conversation: Conversation) -> str:
    lines = [
        f"[{m.created_at:%Y-%m-%d %H:%M} UTC] {m.sender.get_full_name()}: {m.body}"
        for m in conversation.messages.select_related("sender").order_by("seq")
    ]
    text = f"Transcript of Premium chat #{conversation.pk}\n\n" + "\n".join(lines)
    limit = ticket_services.DESCRIPTION_MAX
    return text if len(text) <= limit else text[: limit - 1] + "…"


def conversation_ticket_create(*, conversation_id: int, specialist: User) -> "Ticket":
    """Turn a chat into an email ticket for its customer, with the transcript as the
    description. Once: asking again returns the same ticket."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if not is_agent(specialist) or conversation.specialist_id != specialist.pk:
            raise PermissionDenied(TICKET_NOT_YOURS)
        if conversation.ticket_id:
            return conversation.ticket
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
