"""Writing, delivering and retrying outbox rows.

A change calls `outbox_enqueue` inside its transaction; the row commits or rolls back
with the change. After commit the row is handed to a Celery task ("kicked"); if the
broker does not answer, nothing fails: the beat-driven relay finds the row later. Each
delivery first claims its row with a conditional UPDATE, so two relays, a retried task
and a kick racing the relay deliver a row once."""

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu import Connection
from kombu.exceptions import OperationalError

from helpdesk.core.outbox.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

Handler = Callable[..., Any]
H = TypeVar("H", bound=Handler)

_handlers: dict[str, Handler] = {}
# Kinds that keep retrying for a time rather than a number of attempts (webhooks: a day).
_retry_for: dict[str, timedelta] = {}

# Written on a row a relay claimed and never finished (its worker was killed): the side
# effect may or may not have happened, so only a person decides to send it again.
INTERRUPTED = "Interrupted during delivery: it may have gone out. Retry sends it again."


def outbox_handler(kind: str, *, retry_for: timedelta | None = None) -> Callable[[H], H]:
    """Register the function that delivers rows of `kind`; it is called with the row's
    payload as keyword arguments and must raise when the delivery failed. A failing row
    stops after OUTBOX_MAX_ATTEMPTS, or, with `retry_for`, once it is that old."""

    def register(handler: H) -> H:
        if _handlers.get(kind, handler) is not handler:
            raise ValueError(f"Outbox kind {kind!r} already has a handler.")
        _handlers[kind] = handler
        if retry_for is not None:
            _retry_for[kind] = retry_for
        return handler

    return register


def outbox_enqueue(*, kind: str, key: str, payload: dict[str, Any]) -> None:
    """Record a side effect in the current transaction; it is delivered after commit.
    A key already recorded is left alone (the side effect is already on its way)."""
    if kind not in _handlers:
        raise LookupError(f"No outbox handler for {kind!r}.")
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                kind=kind,
                key=key,
                payload=payload,
                # The relay leaves fresh rows to their kick for this long.
                next_attempt_at=now + timedelta(seconds=settings.OUTBOX_KICK_GRACE_SECONDS),
            )
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(lambda: _kick([key]))


def outbox_digest_key(kind: str, items: Iterable[Any]) -> str:
    """The key of a digest about these items (ids with their levels, say): the same
    items at the same levels are one digest, however many sweeps find them."""
    digest = hashlib.sha256(json.dumps(sorted(items), default=str).encode()).hexdigest()
    return f"{kind}:{digest[:40]}"


# After a kick found the broker away, kicks skip it for this long: the rows wait for the
# relay either way, and the requests of an outage do not each wait for a connection.
BROKER_AWAY_SECONDS = 5.0
_broker_away_until = 0.0


def _kick(keys: list[str]) -> None:
    global _broker_away_until
    from helpdesk.core.outbox import tasks

    task = tasks.outbox_deliver
    if task.app.conf.task_always_eager:
        task.apply_async(args=(keys,))
        return
    if time.monotonic() < _broker_away_until:
        return
    try:
        pooled = task.app.pool.acquire(block=True, timeout=1)
        with cast(Connection, pooled) as conn:  # the stubs call the pool's items Producers
            # One connection attempt and no publish retries: a broker that is away must
            # not hold up the request; the relay delivers the rows once it answers.
            conn.ensure_connection(max_retries=0)
            # `connection` is one of apply_async's **options, which the stubs leave out.
            task.apply_async(args=(keys,), retry=False, connection=conn)  # type: ignore[call-arg]
    except (OperationalError, OSError) as exc:
        _broker_away_until = time.monotonic() + BROKER_AWAY_SECONDS
        logger.warning(
            "outbox: broker unreachable (%s); %d delivery(ies) wait for the relay",
            exc.__class__.__name__,
            len(keys),
        )


def _backoff(attempts: int) -> timedelta:
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:2000]


def _deliver(row_id: int, *, statuses: Iterable[str], due_by: datetime | None) -> bool:
    """Claim one row and run its handler; True if it was delivered now."""
    now = timezone.now()
    claim = OutboxMessage.objects.filter(pk=row_id, status__in=list(statuses))
    if due_by is not None:
        claim = claim.filter(next_attempt_at__lte=due_by)
    if not claim.update(status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1):
        return False  # sent already, or another relay holds it
    row = OutboxMessage.objects.get(pk=row_id)
    try:
        handler = _handlers.get(row.kind)
        if handler is None:
            raise LookupError(f"No outbox handler for {row.kind!r}.")
        handler(**row.payload)
    except Exception as exc:
        window = _retry_for.get(row.kind)
        if window is not None:
            stop = timezone.now() - row.created_at >= window
        else:
            stop = row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        logger.warning("outbox: %s failed (attempt %d): %s", row.key, row.attempts, exc)
        OutboxMessage.objects.filter(pk=row_id, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.STOPPED if stop else OutboxStatus.FAILED,
            next_attempt_at=None if stop else timezone.now() + _backoff(row.attempts),
            claimed_at=None,
            last_error=_describe(exc),
        )
        return False
    OutboxMessage.objects.filter(pk=row_id, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), claimed_at=None, last_error=""
    )
    return True


def outbox_deliver(*, keys: list[str]) -> int:
    """Deliver freshly written rows (the kick after commit). Rows that failed before wait
    for their next attempt; rows sent already are left alone."""
    ids = OutboxMessage.objects.filter(key__in=keys, status=OutboxStatus.PENDING).values_list(
        "pk", flat=True
    )
    return sum(_deliver(pk, statuses=[OutboxStatus.PENDING], due_by=None) for pk in list(ids))


def outbox_relay(*, limit: int | None = None) -> int:
    """Deliver every row that is due: never kicked (the broker was away), or failed and
    due again. Stops rows whose delivery was interrupted and forgets old sent rows.
    Returns how many rows were delivered."""
    now = timezone.now()
    OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS),
    ).update(status=OutboxStatus.STOPPED, claimed_at=None, last_error=INTERRUPTED)
    due = OutboxMessage.objects.filter(
        status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED], next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    ids = list(due.values_list("pk", flat=True)[: limit or settings.OUTBOX_RELAY_BATCH_SIZE])
    # Half the task's soft time limit: a relay with a long backlog stops between rows
    # and leaves the rest to the next one, rather than being killed in mid-delivery.
    budget_ends = time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    sent = 0
    for pk in ids:
        if time.monotonic() > budget_ends:
            break
        sent += _deliver(pk, statuses=[OutboxStatus.PENDING, OutboxStatus.FAILED], due_by=now)
    OutboxMessage.objects.filter(
        status=OutboxStatus.SENT,
        sent_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS),
    ).delete()
    return sent


def outbox_retry(*, ids: Iterable[int]) -> int:
    """A lead's Retry: stopped or failed rows go back to the relay now. Sent rows and
    rows being delivered are left alone (sending them again would be a duplicate).
    Returns how many rows were queued again. The caller checks the permission."""
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=list(ids), status__in=[OutboxStatus.FAILED, OutboxStatus.STOPPED])
            .values_list("pk", "key")
        )
        OutboxMessage.objects.filter(pk__in=[pk for pk, _ in rows]).update(
            status=OutboxStatus.PENDING, next_attempt_at=timezone.now()
        )
        keys = [key for _, key in rows]
        if keys:
            transaction.on_commit(lambda: _kick(keys))
    return len(rows)
