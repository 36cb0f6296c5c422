"""The SLA sweep: one mechanism for every first-response clock.

Any model built on `DeadlineTracked` registers a `SweepTarget` (tickets now; callback
requests and waiting chats reuse it). A sweep takes the rows whose `sla_next_check_at`
has come (one indexed range query, whatever the number of open items), locks them with
SKIP LOCKED so a second worker or a retried task passes over them, decides each row's
step, applies the steps as a few grouped conditional UPDATEs, records history, and
queues notifications after commit. A row's next check moves forward in the same
transaction, so each step happens, and is notified, exactly once.

Steps: a warning at the configured share of the allowed time; at the deadline level 1
(breached for guaranteed clocks, overdue for targets, exempt when a response-time
exception overlaps the clock); then a level more every interval while unanswered.
A sweep that runs late dates the breach at the deadline and catches up on the levels."""

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from helpdesk.core.webhooks.events import WebhookEvent
from helpdesk.core.webhooks.services import webhook_emit
from sla.deadlines import ExceptionSpec, overlapping_exception
from sla.models import DeadlineTracked, ResponseTimeException, SlaKind, SweepHealth

logger = logging.getLogger(__name__)

WARNED = "warned"
BREACHED = "breached"
OVERDUE = "overdue"
EXEMPT = "exempt"
ESCALATED = "escalated"


@dataclass(frozen=True)
class Outcome:
    """What the sweep did to one item. `at` is when the step was due (the deadline for a
    breach), not when the sweep happened to run."""

    item_id: int
    step: str
    level: int
    at: datetime
    exception_id: int | None = None


@dataclass(frozen=True)
class SweepTarget:
    name: str
    model: type[DeadlineTracked]
    # Writes the history rows for these outcomes (inside the sweep's transaction).
    record: Callable[[Sequence[Outcome]], None]
    # Queues emails and live alerts; called inside the transaction, must use on_commit.
    notify: Callable[[Sequence[Outcome]], None]
    # The field naming the customer account, for per-account exceptions.
    account_field: str = "account_id"
    # For the report: the field holding when the clock stopped without a first response
    # (a chat ended, a callback cancelled, a ticket solved or closed), null while it
    # runs; and the field naming the specialist the item is with.
    stopped_at_field: str | None = None
    specialist_field: str | None = None


_targets: dict[str, SweepTarget] = {}


def highest_escalations(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """One outcome per escalated item, at the highest level it reached in this sweep:
    what targets notify about (a late sweep that caught up on levels alerts once)."""
    latest: dict[int, Outcome] = {}
    for o in outcomes:
        if o.step in (BREACHED, ESCALATED, OVERDUE) and (
            o.item_id not in latest or o.level > latest[o.item_id].level
        ):
            latest[o.item_id] = o
    return list(latest.values())


def register(target: SweepTarget) -> None:
    _targets[target.name] = target


def targets() -> list[SweepTarget]:
    return list(_targets.values())


def _interval() -> timedelta:
    return timedelta(minutes=settings.SLA_ESCALATION_INTERVAL_MINUTES)


@dataclass(frozen=True)
class Change:
    """The new state of a group of rows. Per-row times are expressions on `due_at`, so
    any number of rows with the same change is one UPDATE."""

    step: str
    from_level: int
    to_level: int = 0
    exception_id: int | None = None

    def values(self, now: datetime) -> dict[str, Any]:
        interval = _interval()
        if self.step == WARNED:
            return {"warned_at": now, "sla_next_check_at": F("due_at")}
        if self.step == EXEMPT:
            return {
                "sla_kind": SlaKind.EXEMPT,
                "sla_exception_id": self.exception_id,
                "sla_next_check_at": None,
            }
        if self.step == OVERDUE:
            return {"breached_at": F("due_at"), "escalation_level": 1, "sla_next_check_at": None}
        if self.step == "stop":
            return {"sla_next_check_at": None}
        values = {
            "escalation_level": self.to_level,
            "sla_next_check_at": F("due_at") + interval * self.to_level,
        }
        if self.from_level == 0:
            values["breached_at"] = F("due_at")
        return values


def decide(
    item: DeadlineTracked, now: datetime, exceptions: Sequence[ExceptionSpec]
) -> tuple[list[Outcome], Change] | None:
    """What is due on one item at `now`, or None if nothing is. Pure: no database."""
    if item.answered_at is not None:
        return [], Change("stop", item.escalation_level)
    interval = _interval()
    level = item.escalation_level
    outcomes: list[Outcome] = []
    if level == 0:
        if item.due_at > now:
            if item.warned_at is None and item.warn_at is not None and item.warn_at <= now:
                return [Outcome(item.pk, WARNED, 0, now)], Change(WARNED, 0)
            return None
        exception = overlapping_exception(item.created_at, item.due_at, exceptions)
        if item.sla_kind == SlaKind.EXEMPT or exception is not None:
            exception_id = exception.id if exception else item.sla_exception_id
            return (
                [Outcome(item.pk, EXEMPT, 0, item.due_at, exception_id)],
                Change(EXEMPT, 0, exception_id=exception_id),
            )
        if item.sla_kind == SlaKind.TARGET:
            return [Outcome(item.pk, OVERDUE, 1, item.due_at)], Change(OVERDUE, 0, 1)
        outcomes.append(Outcome(item.pk, BREACHED, 1, item.due_at))
        level = 1
    elif item.sla_kind != SlaKind.GUARANTEED:
        return [], Change("stop", level)
    # A level more every interval after the deadline; a late sweep catches up, each level
    # dated when it was due.
    while item.due_at + interval * level <= now:
        level += 1
        outcomes.append(Outcome(item.pk, ESCALATED, level, item.due_at + interval * (level - 1)))
    if not outcomes:
        return None
    return outcomes, Change(ESCALATED, item.escalation_level, level)


def _exceptions_for(rows: Sequence[DeadlineTracked]) -> dict[int | None, list[ExceptionSpec]]:
    """Exceptions overlapping any of these clocks, by account (None: every account)."""
    start = min(r.created_at for r in rows)
    end = max(r.due_at for r in rows)
    by_account: dict[int | None, list[ExceptionSpec]] = defaultdict(list)
    for e in ResponseTimeException.objects.filter(starts_at__lt=end, ends_at__gt=start):
        by_account[e.account_id].append(ExceptionSpec(e.id, e.starts_at, e.ends_at, e.reason))
    return by_account


def sweep_target(target: SweepTarget, *, now: datetime, batch_size: int) -> list[Outcome]:
    """One batch for one target, in one transaction."""
    from sla.services import next_check_at

    # _default_manager, Django's way to reach the rows of a model known only by its base.
    model = target.model
    with transaction.atomic():
        rows = list(
            model._default_manager.select_for_update(skip_locked=True, of=("self",))
            .filter(sla_next_check_at__lte=now)
            .order_by("sla_next_check_at")[:batch_size]
        )
        if not rows:
            return []
        exceptions = _exceptions_for(rows)
        groups: dict[Change, list[int]] = defaultdict(list)
        outcomes: list[Outcome] = []
        for row in rows:
            applicable = exceptions.get(None, []) + exceptions.get(
                getattr(row, target.account_field, None), []
            )
            decision = decide(row, now, applicable)
            if decision is None:
                # Checked too early (the schedule changed): put the row back on time.
                model._default_manager.filter(pk=row.pk).update(
                    sla_next_check_at=next_check_at(row)
                )
                continue
            row_outcomes, change = decision
            outcomes.extend(row_outcomes)
            groups[change].append(row.pk)
        for change, ids in groups.items():
            # Conditional on the level we read: a row changed by someone else meanwhile
            # is left alone (row locks already keep other sweeps out on PostgreSQL;
            # SQLite serialises writers instead).
            model._default_manager.filter(pk__in=ids, escalation_level=change.from_level).update(
                **change.values(now)
            )
        if outcomes:
            target.record(outcomes)
            target.notify(outcomes)
            _webhooks(target, outcomes)
    return outcomes


_WEBHOOK_EVENTS = {
    WARNED: WebhookEvent.SLA_WARNING,
    BREACHED: WebhookEvent.SLA_BREACHED,
    OVERDUE: WebhookEvent.SLA_BREACHED,
    ESCALATED: WebhookEvent.SLA_ESCALATED,
}


def _webhooks(target: SweepTarget, outcomes: Sequence[Outcome]) -> None:
    """One webhook per step and item, in the sweep's transaction (the level change and
    the delivery commit together; the key names the level, so nothing is sent twice)."""
    for o in outcomes:
        event = _WEBHOOK_EVENTS.get(o.step)
        if event is None:
            continue
        webhook_emit(
            event=event,
            key=f"{event.value}:{target.name}:{o.item_id}:{o.level}",
            data={
                "kind": target.name,
                "id": o.item_id,
                "step": o.step,
                "level": o.level,
                "at": o.at,
            },
        )


def run_sweep(*, now: datetime | None = None, time_budget: float = 20.0) -> dict[str, int]:
    """Sweep every registered target until nothing is due or the time budget is spent."""
    started = time.monotonic()
    now = now or timezone.now()
    batch_size = settings.SLA_SWEEP_BATCH_SIZE
    counts: dict[str, int] = {}
    for target in targets():
        total = 0
        while time.monotonic() - started < time_budget:
            done = sweep_target(target, now=now, batch_size=batch_size)
            total += len({o.item_id for o in done})
            if not done:
                break
        counts[target.name] = total
    elapsed_ms = int((time.monotonic() - started) * 1000)
    SweepHealth.objects.update_or_create(
        name="sla",
        defaults={
            "last_run_at": timezone.now(),
            "last_duration_ms": elapsed_ms,
            "last_processed": sum(counts.values()),
        },
    )
    return counts


def sweep_is_stale(*, now: datetime | None = None) -> datetime | None | bool:
    """False when healthy; otherwise the time of the last sweep (None: never ran)."""
    now = now or timezone.now()
    last = SweepHealth.objects.filter(name="sla").values_list("last_run_at", flat=True).first()
    limit = timedelta(seconds=3 * settings.SLA_SWEEP_INTERVAL_SECONDS)
    if last is not None and now - last <= limit:
        return False
    return last
