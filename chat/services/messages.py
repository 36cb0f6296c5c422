"""Storing chat messages: the one place for the sequence-number rule.

A message gets the next number of its conversation in the statement that stores it: an
`UPDATE … RETURNING` on the conversation checks that the sender takes part in an open
chat, hands out the numbers and stops the wait clock at the first specialist message;
the `INSERT` of the same statement numbers the messages from what it returned. On
PostgreSQL that is one statement (a data-modifying `WITH`); SQLite has no data-modifying
`WITH`, so there the `UPDATE` runs first and its row feeds the same `INSERT`, in one
transaction. One or many messages alike: a socket stores what queued up while its
previous write was in flight in one go (bench/ measured it), announced as one event."""

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any, NoReturn

import psycopg
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from chat.models import OPEN_STATUSES, Conversation, Message, SenderRole
from chat.payloads import message_payload
from helpdesk.core import async_db
from helpdesk.core.realtime import (
    Event,
    broadcast_committed,
    broadcast_on_commit,
    call_message_service,
    conversation_group,
)
from helpdesk.core.textclean import clean_line, clean_text, limit_message

logger = logging.getLogger(__name__)

MESSAGE_MAX = 4000
CLIENT_ID_MAX = 64

MESSAGE_REQUIRED = _("Write a message.")
MESSAGE_TOO_LONG = limit_message(
    _("Keep each message to {limit} characters or fewer."), MESSAGE_MAX
)
BAD_CLIENT_ID = _("Invalid message id.")
NOT_A_PARTICIPANT = _("This chat is not yours.")
CHAT_ENDED = _("This chat has ended.")

# (body, client_id): what a client sent, cleaned by `message_clean`.
Item = tuple[str, str]


def message_clean(*, body: Any, client_id: Any) -> Item:
    """Validate a message (raises ValidationError): what `message_store` stores, and
    what a socket checks before it queues a frame for storing."""
    if not isinstance(body, str):
        raise ValidationError(MESSAGE_REQUIRED)
    body = clean_text(
        body,
        max_length=MESSAGE_MAX,
        required_message=MESSAGE_REQUIRED,
        too_long_message=MESSAGE_TOO_LONG,
    )
    if client_id is None:
        return body, ""
    if not isinstance(client_id, str):
        raise ValidationError(BAD_CLIENT_ID)
    return body, clean_line(client_id, max_length=CLIENT_ID_MAX, too_long_message=BAD_CLIENT_ID)


def _take_sql(
    db: BaseDatabaseWrapper, conversation_id: int, sender_id: int, *, count: int, now: datetime
) -> tuple[str, list[Any]]:
    """The rule: hand out the next `count` numbers of an open conversation the sender
    takes part in, locking its row until commit, and stop the wait clock at the first
    specialist message (a sender who is not the customer). No row: refused."""
    table = db.ops.quote_name(Conversation._meta.db_table)
    answered = Conversation._meta.get_field("answered_at").get_db_prep_save(now, db)
    first_answer = "answered_at IS NULL AND customer_id <> %s"
    return (
        f"UPDATE {table} SET last_seq = last_seq + %s, "  # noqa: S608 - table name only
        f"answered_at = CASE WHEN {first_answer} THEN %s ELSE answered_at END, "
        f"sla_next_check_at = CASE WHEN {first_answer} THEN NULL ELSE sla_next_check_at END "
        "WHERE id = %s AND status IN (%s, %s) AND (customer_id = %s OR specialist_id = %s) "
        "RETURNING last_seq, customer_id",
        [count, sender_id, answered, sender_id, conversation_id, *OPEN_STATUSES]
        + [sender_id, sender_id],
    )


def _insert_sql(
    db: BaseDatabaseWrapper,
    conversation_id: int,
    sender_id: int,
    *,
    taken: tuple[str, list[Any]],
    items: Sequence[Item],
    now: datetime,
) -> tuple[str, list[Any]]:
    """INSERT the items numbered from `taken` (a query giving the conversation's new
    last_seq and its customer), RETURNING (id, seq, sender_role). A plain INSERT, not
    Model.save(), whose per-call machinery was most of the write's time (bench/)."""
    taken_sql, taken_params = taken
    table = db.ops.quote_name(Message._meta.db_table)
    created_at = Message._meta.get_field("created_at").get_db_prep_save(now, db)
    rows = ", ".join(f"({n}, %s, %s)" for n in range(1, len(items) + 1))
    return (
        f"WITH taken (last_seq, customer_id) AS ({taken_sql}), "  # noqa: S608 - names only
        f"item (n, body, client_id) AS (VALUES {rows}) "
        f"INSERT INTO {table} "
        "(conversation_id, seq, sender_id, sender_role, body, client_id, created_at) "
        "SELECT %s, taken.last_seq - %s + item.n, %s, "
        "CASE WHEN taken.customer_id = %s THEN %s ELSE %s END, item.body, item.client_id, %s "
        "FROM taken, item RETURNING id, seq, sender_role",
        [
            *taken_params,
            *(value for item in items for value in item),
            conversation_id,
            len(items),
            sender_id,
            sender_id,
            SenderRole.CUSTOMER,
            SenderRole.SPECIALIST,
            created_at,
        ],
    )


def _store_sql(
    db: BaseDatabaseWrapper, conversation_id: int, sender_id: int, *, items: Sequence[Item]
) -> tuple[str, list[Any], datetime]:
    """PostgreSQL: the numbers and the insert as one statement, so outside a transaction
    a message is one round trip, with no BEGIN or COMMIT, and still all or nothing."""
    now = timezone.now()
    ids = conversation_id, sender_id
    taken = _take_sql(db, *ids, count=len(items), now=now)
    return (*_insert_sql(db, *ids, taken=taken, items=items, now=now), now)


def _built(
    rows: Sequence[tuple[Any, ...]],
    *,
    conversation_id: int,
    sender: User,
    items: Sequence[Item],
    now: datetime,
) -> list[Message]:
    """The stored messages, in the items' order, from the INSERT's returned rows."""
    messages = []
    for (pk, seq, role), (body, client_id) in zip(
        sorted(rows, key=lambda r: r[1]), items, strict=True
    ):
        message = Message(
            pk=pk,
            conversation_id=conversation_id,
            seq=seq,
            sender=sender,
            sender_role=role,
            body=body,
            client_id=client_id,
            created_at=now,
        )
        message._state.adding = False
        message._state.db = connection.alias
        messages.append(message)
    return messages


def _insert(conversation_id: int, sender: User, *, items: Sequence[Item]) -> list[Message] | None:
    """Number and store the items (through Django's connection); None if refused."""
    ids = conversation_id, sender.pk
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql, params, now = _store_sql(connection, *ids, items=items)
        else:
            now = timezone.now()
            cursor.execute(*_take_sql(connection, *ids, count=len(items), now=now))
            taken = cursor.fetchone()
            if taken is None:
                return None
            sql, params = _insert_sql(
                connection, *ids, taken=("VALUES (%s, %s)", list(taken)), items=items, now=now
            )
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    return _built(rows, conversation_id=conversation_id, sender=sender, items=items, now=now)


def _one_transaction() -> AbstractContextManager[Any]:
    # One statement is atomic by itself; inside a caller's transaction, a savepoint keeps
    # a refused resend from breaking it. SQLite's two statements need a transaction.
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return nullcontext()
    return transaction.atomic()


def _stored_before(
    conversation_id: int, sender: User, *, items: Sequence[Item]
) -> dict[str, Message]:
    """This sender's messages already stored under the items' client ids (resends)."""
    client_ids = [client_id for _, client_id in items if client_id]
    if not client_ids:
        return {}
    stored = Message.objects.filter(
        conversation_id=conversation_id, sender=sender, client_id__in=client_ids
    )
    for message in stored:
        message.sender = sender
    return {message.client_id: message for message in stored}


def _distinct(items: Sequence[Item]) -> list[Item]:
    """Each client id once: a frame re-sent before its ack came is one message."""
    seen: set[str] = set()
    distinct = []
    for body, client_id in items:
        if not client_id or client_id not in seen:
            seen.add(client_id)
            distinct.append((body, client_id))
    return distinct


def _refuse(conversation_id: int, sender: User) -> NoReturn:
    row = Conversation.objects.filter(pk=conversation_id).values("customer_id", "specialist_id")
    found = row.first()
    if found is None or sender.pk not in (found["customer_id"], found["specialist_id"]):
        raise PermissionDenied(NOT_A_PARTICIPANT)
    raise ValidationError(CHAT_ENDED)


def _announcement(conversation_id: int, messages: Sequence[Message]) -> Event:
    """The one event for what one call stored: one trip through the channel layer."""
    group = conversation_group(conversation_id)
    if len(messages) == 1:
        return group, {"type": "chat.message", "message": message_payload(messages[0])}
    return group, {"type": "chat.messages", "messages": [message_payload(m) for m in messages]}


def message_store(
    *,
    conversation_id: int,
    sender: User,
    items: Sequence[Item],
    attach: Callable[[Message], None] | None = None,
) -> list[Message]:
    """Store messages of one sender as the next of their conversation, in order, and
    announce them after commit. Items are (body, client_id) pairs. A message re-sent with
    a client_id already stored (after a lost connection) returns the stored one instead
    of a copy, and is not announced again. Every message returned has its sender set,
    for the acknowledgement. Refused (nothing stored): PermissionDenied if the sender
    takes no part in the chat, ValidationError if it has ended. `attach` runs on each
    newly stored message in its transaction, before the announcement is built (a file's
    row, chat.services.attachments)."""
    items = [message_clean(body=body, client_id=client_id) for body, client_id in items]
    pending = _distinct(items)
    resent: dict[str, Message] = {}
    stored: list[Message] | None = []
    while pending:
        try:
            with transaction.atomic() if attach else _one_transaction():
                stored = _insert(conversation_id, sender, items=pending)
                if stored and attach:
                    for message in stored:
                        attach(message)
            break
        except IntegrityError:
            # The unique (conversation, sender, client_id): some of them are resends.
            found = _stored_before(conversation_id, sender, items=pending)
            if not found:
                raise
            resent.update(found)
            pending = [item for item in pending if item[1] not in resent]
    if stored is None:
        # Refused. A resend of a message stored before the chat ended still gets its ack.
        resent.update(_stored_before(conversation_id, sender, items=pending))
        if any(client_id not in resent for _, client_id in pending):
            _refuse(conversation_id, sender)
        stored = []
    if stored:
        broadcast_on_commit(*_announcement(conversation_id, stored))
    by_client_id = {**resent, **{m.client_id: m for m in stored if m.client_id}}
    without_id = iter([m for m in stored if not m.client_id])
    return [by_client_id[client_id] if client_id else next(without_id) for _, client_id in items]


async def _store_on_loop(
    *, conversation_id: int, sender: User, items: Sequence[Item]
) -> list[Message] | None:
    """`message_store`'s common case on PostgreSQL, from the event loop: the same one
    statement over the loop's own connection (helpdesk.core.async_db), without the
    database thread, announced once stored (autocommit: it is committed). None whenever
    `message_store` must decide instead, and nothing is stored then: another database, a
    resend of a stored client_id, a sender who may not write there, or any database error
    (the broken connection is dropped)."""
    if not async_db.available():
        return None
    items = [message_clean(body=body, client_id=client_id) for body, client_id in items]
    sql, params, now = _store_sql(connection, conversation_id, sender.pk, items=items)
    try:
        rows = await async_db.fetchall(sql, params)
    except psycopg.IntegrityError:
        return None  # a resend: message_store returns the stored one
    except (psycopg.Error, TimeoutError):
        logger.warning("chat write from the event loop failed; using the ORM path", exc_info=True)
        return None
    if not rows:
        return None  # refused: message_store says why
    messages = _built(rows, conversation_id=conversation_id, sender=sender, items=items, now=now)
    await broadcast_committed([_announcement(conversation_id, messages)])
    return messages


async def amessage_store(
    *, conversation_id: int, sender: User, items: Sequence[Item]
) -> list[Message]:
    """`message_store` for a consumer's event loop (as Django pairs `save` and `asave`):
    on PostgreSQL its statement runs on the loop's own connection, which bench/ showed
    the latency aim needs; every other case runs `message_store` in the database thread."""
    stored = await _store_on_loop(conversation_id=conversation_id, sender=sender, items=items)
    if stored is not None:
        return stored
    result: list[Message] = await call_message_service(
        message_store, conversation_id=conversation_id, sender=sender, items=items
    )
    return result


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
                    "role": "customer" if is_customer else "specialist",
                    "seq": seq,
                },
            )
    return bool(changed)


def seen_mark(*, conversation_id: int, user: User, seq: int) -> bool:
    """Record that this participant had the chat on screen up to `seq` ("Seen"); seen
    implies delivered, so the delivery mark follows. Conditional updates: an earlier
    mark arriving late never moves either back."""
    row = (
        Conversation.objects.filter(pk=conversation_id)
        .values("customer_id", "specialist_id", "last_seq")
        .first()
    )
    if row is None or user.pk not in (row["customer_id"], row["specialist_id"]):
        raise PermissionDenied(NOT_A_PARTICIPANT)
    seq = min(int(seq), row["last_seq"])
    is_customer = user.pk == row["customer_id"]
    role = "customer" if is_customer else "specialist"
    with transaction.atomic():
        changed = Conversation.objects.filter(
            pk=conversation_id, **{f"{role}_seen_seq__lt": seq}
        ).update(**{f"{role}_seen_seq": seq})
        if changed:
            Conversation.objects.filter(
                pk=conversation_id, **{f"{role}_delivered_seq__lt": seq}
            ).update(**{f"{role}_delivered_seq": seq})
            broadcast_on_commit(
                conversation_group(conversation_id),
                {"type": "chat.seen", "conversation": conversation_id, "role": role, "seq": seq},
            )
    return bool(changed)
