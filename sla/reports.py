"""The SLA attainment report: per period and per kind, over every sweep target."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from sla import sweep
from sla.models import SlaKind, SlaPolicy


@dataclass
class ReportRow:
    period: date
    kind: str
    items: int = 0
    met: int = 0
    breached: int = 0
    exempt: int = 0
    pending: int = 0
    reply_seconds: list[float] = field(default_factory=list, repr=False)

    @property
    def percent_met(self) -> float | None:
        decided = self.met + self.breached
        return round(100 * self.met / decided, 1) if decided else None

    @property
    def median_minutes(self) -> float | None:
        if not self.reply_seconds:
            return None
        return round(statistics.median(self.reply_seconds) / 60, 1)

    @property
    def p90_minutes(self) -> float | None:
        if not self.reply_seconds:
            return None
        ordered = sorted(self.reply_seconds)
        # Nearest-rank 90th percentile: the value 90% of replies were at or under.
        rank = max(1, -(-9 * len(ordered) // 10))
        return round(ordered[rank - 1] / 60, 1)


def period_start(moment: datetime, period: str, tz: ZoneInfo) -> date:
    day = timezone.localtime(moment, tz).date()
    if period == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def classify(row: dict[str, Any], now: datetime) -> str:
    """met, breached, exempt or pending, for one item's clock."""
    if row["sla_kind"] == SlaKind.EXEMPT:
        return "exempt"
    answered = row["answered_at"]
    if answered is not None:
        return "met" if answered <= row["due_at"] else "breached"
    if row["breached_at"] is not None or row["due_at"] <= now:
        return "breached"
    return "pending"


def attainment_report(
    *, period: str = "week", since: datetime | None = None, now: datetime | None = None
) -> list[ReportRow]:
    """Rows per (period, kind), newest period first. `kind` is the SLA policy's label
    (super admin standard, business-critical, regular target, and other targets')."""
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    if since is None:
        weeks = 12 if period == "week" else 26
        since = now - timedelta(weeks=weeks)
    since = datetime.combine(period_start(since, period, tz), time.min, tzinfo=tz)
    rows: dict[tuple[date, str], ReportRow] = {}
    labels = dict(SlaPolicy.choices)
    for target in sweep.targets():
        # The plugin checks lookups against the abstract DeadlineTracked, where created_at
        # is an annotation, not a field; every registered (concrete) model has the field.
        values = target.model._default_manager.filter(  # type: ignore[misc]
            created_at__gte=since, created_at__lte=now
        ).values("created_at", "sla_policy", "sla_kind", "answered_at", "due_at", "breached_at")
        for item in values.iterator(chunk_size=5000):
            kind = str(labels.get(item["sla_policy"], item["sla_policy"]))
            key = (period_start(item["created_at"], period, tz), kind)
            row = rows.get(key) or rows.setdefault(key, ReportRow(*key))
            row.items += 1
            outcome = classify(item, now)
            setattr(row, outcome, getattr(row, outcome) + 1)
            if item["answered_at"] is not None:
                row.reply_seconds.append((item["answered_at"] - item["created_at"]).total_seconds())
    order = defaultdict(int, {str(label): i for i, (_, label) in enumerate(SlaPolicy.choices)})
    return sorted(rows.values(), key=lambda r: (-r.period.toordinal(), order[r.kind], r.kind))
