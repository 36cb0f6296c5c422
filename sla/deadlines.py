"""Deadline arithmetic: pure functions of (start, policy, calendar, exceptions).

No database access here: callers load the calendar (with its holidays) and the relevant
exceptions once and pass them in, so the rules are unit-tested without a database."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sla.models import SlaKind, SlaPolicy

# A calendar with no open hours at all would loop forever; give up after this long.
MAX_CALENDAR_DAYS = 3 * 366


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class CalendarSpec:
    time_zone: str
    # weekday (Monday=0) -> ordered (opens, closes) local times
    hours: Mapping[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)
    business_day_minutes: int = 480


@dataclass(frozen=True)
class ExceptionSpec:
    id: int
    starts_at: datetime
    ends_at: datetime
    reason: str


@dataclass(frozen=True)
class PolicyMinutes:
    """How long each policy allows. Guaranteed clocks run around the clock."""

    standard: int = 60
    business_critical: int = 30


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    kind: SlaKind
    exception: ExceptionSpec | None = None


def policy_for(*, super_admin: bool, business_critical: bool) -> SlaPolicy:
    if not super_admin:
        return SlaPolicy.REGULAR_TARGET
    return SlaPolicy.BUSINESS_CRITICAL if business_critical else SlaPolicy.STANDARD


def add_business_minutes(start: datetime, minutes: int, calendar: CalendarSpec) -> datetime:
    """The instant at which `minutes` of business time have elapsed since `start`."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    tz = ZoneInfo(calendar.time_zone)
    remaining = timedelta(minutes=minutes)
    # Arithmetic in UTC: Python subtracts datetimes sharing a tzinfo by wall clock,
    # which would be an hour off across a daylight-saving change.
    start_utc = start.astimezone(UTC)
    day = start.astimezone(tz).date()
    for _ in range(MAX_CALENDAR_DAYS):
        if day not in calendar.holidays:
            for opens, closes in calendar.hours.get(day.weekday(), ()):
                # Local wall-clock opening hours, placed on the timeline by zoneinfo.
                open_at = datetime.combine(day, opens, tzinfo=tz).astimezone(UTC)
                close_at = datetime.combine(day, closes, tzinfo=tz).astimezone(UTC)
                begin = max(open_at, start_utc)
                if begin >= close_at:
                    continue
                available = close_at - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
    raise CalendarError("The business calendar has no open hours in the next three years.")


def overlapping_exception(
    start: datetime, end: datetime, exceptions: Iterable[ExceptionSpec]
) -> ExceptionSpec | None:
    """The earliest exception that overlaps the clock [start, end)."""
    hits = [e for e in exceptions if e.starts_at < end and e.ends_at > start]
    return min(hits, key=lambda e: (e.starts_at, e.id), default=None)


def compute_deadline(
    *,
    start: datetime,
    policy: SlaPolicy,
    calendar: CalendarSpec,
    exceptions: Iterable[ExceptionSpec] = (),
    minutes: PolicyMinutes = PolicyMinutes(),
) -> Deadline:
    """The first-reply deadline of an item submitted at `start` under `policy`."""
    if policy == SlaPolicy.REGULAR_TARGET:
        due = add_business_minutes(start, calendar.business_day_minutes, calendar)
        return Deadline(due, SlaKind.TARGET)
    allowed = (
        minutes.business_critical if policy == SlaPolicy.BUSINESS_CRITICAL else minutes.standard
    )
    due = start + timedelta(minutes=allowed)
    exception = overlapping_exception(start, due, exceptions)
    if exception is not None:
        return Deadline(due, SlaKind.EXEMPT, exception)
    return Deadline(due, SlaKind.GUARANTEED)
