"""Reads for SLA: the calendar and exceptions that deadline arithmetic needs."""

from datetime import datetime, time

from django.conf import settings
from django.db.models import Q

from sla.deadlines import CalendarSpec, ExceptionSpec, PolicyMinutes
from sla.models import BusinessCalendar, ResponseTimeException

# Used when no calendar has been set up yet: Monday to Friday, 9:00 to 17:00 UTC.
FALLBACK_CALENDAR = CalendarSpec(
    time_zone="UTC",
    hours={day: ((time(9), time(17)),) for day in range(5)},
)


def calendar_spec_default() -> CalendarSpec:
    """The default business calendar, loaded in three queries whatever its size."""
    calendar = (
        BusinessCalendar.objects.filter(is_default=True)
        .prefetch_related("hours", "holidays")
        .first()
    )
    if calendar is None:
        return FALLBACK_CALENDAR
    hours: dict[int, list[tuple[time, time]]] = {}
    for row in calendar.hours.all():
        hours.setdefault(row.weekday, []).append((row.opens, row.closes))
    return CalendarSpec(
        time_zone=calendar.time_zone,
        hours={day: tuple(sorted(spans)) for day, spans in hours.items()},
        holidays=frozenset(h.date for h in calendar.holidays.all()),
        business_day_minutes=calendar.business_day_minutes,
    )


def exceptions_overlapping(
    *, start: datetime, end: datetime, account_id: int | None
) -> list[ExceptionSpec]:
    rows = ResponseTimeException.objects.filter(
        Q(account__isnull=True) | Q(account_id=account_id), starts_at__lt=end, ends_at__gt=start
    )
    return [ExceptionSpec(r.id, r.starts_at, r.ends_at, r.reason) for r in rows]


def policy_minutes() -> PolicyMinutes:
    return PolicyMinutes(
        standard=settings.SLA_STANDARD_MINUTES,
        business_critical=settings.SLA_BUSINESS_CRITICAL_MINUTES,
    )
