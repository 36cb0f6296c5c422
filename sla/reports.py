"""The SLA attainment report: per period and per kind (or per specialist and kind), over
every sweep target, computed by the database.

Each target is one grouped query: counts of each outcome by conditional aggregation
(COUNT ... FILTER on PostgreSQL, CASE WHEN on SQLite), periods truncated in the reporting
time zone, and on PostgreSQL the median and 90th percentile of first-reply times with the
ordered-set aggregate PERCENTILE_CONT. SQLite has no ordered-set aggregate: there the
counts still come from one grouped query, and the percentiles are computed in Python over
the answered items' two timestamps only (docs/workspace.md)."""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from sla import sweep
from sla.models import SlaKind, SlaPolicy

WEEK = "week"
MONTH = "month"
PERIODS = (WEEK, MONTH)
BY_KIND = "kind"
BY_SPECIALIST = "specialist"
GROUPINGS = (BY_KIND, BY_SPECIALIST)
# Every outcome has its own column; they add up to the items.
OUTCOMES = ("met", "breached", "stopped", "exempt", "pending")


@dataclass
class ReportRow:
    period: date
    kind: str
    # The specialist the items are with ("" in the per-kind report).
    specialist: str = ""
    items: int = 0
    met: int = 0
    breached: int = 0
    stopped: int = 0
    exempt: int = 0
    pending: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None

    @property
    def percent_met(self) -> float | None:
        """Met among the decided clocks: stopped, exempt and pending ones are neither."""
        decided = self.met + self.breached
        return round(100 * self.met / decided, 1) if decided else None

    @property
    def median_minutes(self) -> float | None:
        return None if self.median_seconds is None else round(self.median_seconds / 60, 1)

    @property
    def p90_minutes(self) -> float | None:
        return None if self.p90_seconds is None else round(self.p90_seconds / 60, 1)


class PercentileCont(Aggregate):
    """PostgreSQL's PERCENTILE_CONT(fraction) WITHIN GROUP (ORDER BY expression): the
    value at that fraction of the ordered input, interpolated between the two nearest
    rows. Nulls are left out, like every aggregate's."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, *, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        # A float we format ourselves, never user input.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def percentile_cont(ordered: list[float], fraction: float) -> float | None:
    """PERCENTILE_CONT in Python, over values already sorted (SQLite's path)."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def outcome_conditions(*, stopped_at: str | None, now: datetime) -> dict[str, Q]:
    """One condition per outcome, each an SQL predicate over one item's clock; exactly one
    holds for every item.

    - exempt: the clock overlapped a response-time exception;
    - met: first response by the deadline;
    - breached: first response after it, or none and the deadline came while the clock
      ran (still running past it, marked breached by the sweep, or stopped after it:
      an item breached before it stopped stays breached);
    - stopped: no response, the clock stopped by the deadline without a breach (chat
      left by the customer, callback cancelled, ticket solved or closed);
    - pending: no response, running, not yet due."""
    counted = ~Q(sla_kind=SlaKind.EXEMPT)
    unanswered = Q(answered_at__isnull=True)
    running = Q(**{f"{stopped_at}__isnull": True}) if stopped_at else Q()
    came_due = Q(breached_at__isnull=False) | Q(due_at__lte=now)
    late = Q(answered_at__gt=F("due_at")) | (unanswered & running & came_due)
    conditions = {
        "met": counted & Q(answered_at__lte=F("due_at")),
        "exempt": Q(sla_kind=SlaKind.EXEMPT),
        "pending": counted & unanswered & running & Q(breached_at__isnull=True, due_at__gt=now),
    }
    if stopped_at:
        late |= unanswered & Q(**{f"{stopped_at}__gt": F("due_at")})
        conditions["stopped"] = counted & unanswered & Q(**{f"{stopped_at}__lte": F("due_at")})
    conditions["breached"] = counted & late
    return conditions


def _period_start(moment: datetime, period: str, tz: ZoneInfo) -> date:
    day = timezone.localtime(moment, tz).date()
    if period == MONTH:
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def default_since(*, period: str, now: datetime) -> datetime:
    """The range leads open: 12 weeks, or 26 weeks by month, from a period's start."""
    tz = ZoneInfo(settings.TIME_ZONE)
    weeks = 12 if period == WEEK else 26
    return datetime.combine(
        _period_start(now - timedelta(weeks=weeks), period, tz), time.min, tzinfo=tz
    )


Key = tuple[date, str, int | None]


def _target_rows(
    target: sweep.SweepTarget, *, period: str, by: str, since: datetime, now: datetime
) -> dict[Key, dict[str, Any]]:
    """One grouped query over one target: counts (and percentiles on PostgreSQL)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    # The plugin checks lookups against the abstract DeadlineTracked, where created_at
    # is an annotation, not a field; every registered (concrete) model has the field.
    items: QuerySet[Any] = target.model._default_manager.filter(  # type: ignore[misc]
        created_at__gte=since, created_at__lte=now
    ).order_by()
    group: dict[str, Any] = {
        "period_start": Trunc("created_at", period, output_field=DateTimeField(), tzinfo=tz),
        "policy": F("sla_policy"),
    }
    if by == BY_SPECIALIST:
        group["staff_id"] = F(target.specialist_field) if target.specialist_field else Value(None)
    conditions = outcome_conditions(stopped_at=target.stopped_at_field, now=now)
    # COUNT(created_at), not COUNT(id): every column the query reads is then in the
    # tickets' report index, and PostgreSQL answers with an index-only scan.
    aggregates: dict[str, Any] = {
        "items": Count("created_at"),
        **{name: Count("created_at", filter=q) for name, q in conditions.items()},
    }
    postgres = connections[items.db].vendor == "postgresql"
    reply = ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())
    if postgres:
        aggregates["median"] = PercentileCont(reply, fraction=0.5, output_field=DurationField())
        aggregates["p90"] = PercentileCont(reply, fraction=0.9, output_field=DurationField())
    rows: dict[Key, dict[str, Any]] = {}
    for row in items.values(**group).annotate(**aggregates):
        key = (row["period_start"].date(), row["policy"], row.get("staff_id"))
        row["median"] = row["median"].total_seconds() if row.get("median") is not None else None
        row["p90"] = row["p90"].total_seconds() if row.get("p90") is not None else None
        rows[key] = row
    if not postgres:
        durations: dict[Key, list[float]] = {}
        answered = items.filter(answered_at__isnull=False).values_list(
            *group.values(), "created_at", "answered_at"
        )
        for *parts, created, first_reply in answered.iterator(chunk_size=5000):
            durations.setdefault(
                (parts[0].date(), parts[1], parts[2] if len(parts) > 2 else None), []
            ).append((first_reply - created).total_seconds())
        for key, values in durations.items():
            values.sort()
            rows[key]["median"] = percentile_cont(values, 0.5)
            rows[key]["p90"] = percentile_cont(values, 0.9)
    return rows


def attainment_report(
    *,
    period: str = WEEK,
    by: str = BY_KIND,
    since: datetime | None = None,
    now: datetime | None = None,
) -> list[ReportRow]:
    """Rows per (period, kind), or per (period, specialist, kind), newest period first.
    `kind` is the SLA policy's label (super admin standard, business-critical, regular
    target, and other targets'); `specialist` is whom the item is with now (assignee,
    chat specialist, callback holder), or "Unassigned"."""
    if period not in PERIODS or by not in GROUPINGS:
        raise ValueError(f"unknown period or grouping: {period}, {by}")
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    since = (
        default_since(period=period, now=now)
        if since is None
        else datetime.combine(_period_start(since, period, tz), time.min, tzinfo=tz)
    )
    merged: dict[Key, dict[str, Any]] = {}
    for target in sweep.targets():
        for key, row in _target_rows(target, period=period, by=by, since=since, now=now).items():
            if key in merged:
                # Each policy belongs to one target, so this does not happen; if two
                # targets ever shared one, their counts add up and their percentiles,
                # which cannot be combined, are left out rather than wrong.
                for name in ("items", *OUTCOMES):
                    merged[key][name] = merged[key].get(name, 0) + row.get(name, 0)
                merged[key]["median"] = merged[key]["p90"] = None
            else:
                merged[key] = row
    labels = {value: str(label) for value, label in SlaPolicy.choices}
    names = _specialist_names({key[2] for key in merged if key[2] is not None})
    report = [
        ReportRow(
            period=period_day,
            kind=labels.get(policy, policy),
            specialist=(names.get(specialist, "") if specialist else _("Unassigned"))
            if by == BY_SPECIALIST
            else "",
            items=row["items"],
            median_seconds=row["median"],
            p90_seconds=row["p90"],
            **{name: row.get(name, 0) for name in OUTCOMES},
        )
        for (period_day, policy, specialist), row in merged.items()
    ]
    order = {str(label): i for i, (_value, label) in enumerate(SlaPolicy.choices)}
    return sorted(
        report,
        key=lambda r: (
            -r.period.toordinal(),
            r.specialist == _("Unassigned"),
            r.specialist.casefold(),
            order.get(r.kind, len(order)),
            r.kind,
        ),
    )


def _specialist_names(ids: set[int]) -> dict[int, str]:
    users = get_user_model()._default_manager.filter(pk__in=ids)
    return {user.pk: user.get_full_name() for user in users}
