"""Reads for SLA: the calendar and exceptions that deadline arithmetic needs."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from sla.deadlines import CalendarSpec, ExceptionSpec, PolicyMinutes
from sla.models import BusinessCalendar, ResponseTimeException

# Used when no calendar has been set up yet: Monday to Friday, 9:00 to 17:00 UTC.
FALLBACK_CALENDAR = CalendarSpec(
    time_zone="UTC",
    hours={day: ((time(9), time(17)),) for day in range(5)},
)


CALENDAR_CACHE_KEY = "sla:calendar:default"
CALENDAR_CACHE_SECONDS = 300


def calendar_spec_default() -> CalendarSpec:
    """The default business calendar. Cached: every submission needs it and it rarely
    changes; saving a calendar, its hours or a holiday clears the cache (sla.signals)."""
    spec = cache.get(CALENDAR_CACHE_KEY)
    if spec is None:
        spec = _calendar_spec_default_uncached()
        cache.set(CALENDAR_CACHE_KEY, spec, CALENDAR_CACHE_SECONDS)
    return spec


def _calendar_spec_default_uncached() -> CalendarSpec:
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


EXCEPTIONS_CACHE_KEY = "sla:exceptions:current"
EXCEPTIONS_CACHE_SECONDS = 60


def _current_exceptions() -> list[tuple[int | None, ExceptionSpec]]:
    """Exceptions not yet over, with their account. Few rows, read on every submission:
    cached for a minute and cleared whenever an exception is saved (sla.signals)."""
    rows = cache.get(EXCEPTIONS_CACHE_KEY)
    if rows is None:
        now = timezone.now()
        rows = [
            (r.account_id, ExceptionSpec(r.id, r.starts_at, r.ends_at, r.reason))
            for r in ResponseTimeException.objects.filter(ends_at__gt=now)
        ]
        # Expire early enough that an exception starting to matter is never missed.
        cache.set(EXCEPTIONS_CACHE_KEY, rows, EXCEPTIONS_CACHE_SECONDS)
    return rows


def exceptions_overlapping(
    *, start: datetime, end: datetime, account_id: int | None
) -> list[ExceptionSpec]:
    """Exceptions for this account (or all accounts) that overlap [start, end)."""
    if start >= timezone.now() - timedelta(seconds=EXCEPTIONS_CACHE_SECONDS):
        return [
            spec
            for owner, spec in _current_exceptions()
            if owner in (None, account_id) and spec.starts_at < end and spec.ends_at > start
        ]
    rows = ResponseTimeException.objects.filter(
        Q(account__isnull=True) | Q(account_id=account_id), starts_at__lt=end, ends_at__gt=start
    )
    return [ExceptionSpec(r.id, r.starts_at, r.ends_at, r.reason) for r in rows]


def policy_minutes() -> PolicyMinutes:
    return PolicyMinutes(
        standard=settings.SLA_STANDARD_MINUTES,
        business_critical=settings.SLA_BUSINESS_CRITICAL_MINUTES,
    )
