"""The deadline function, without a database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.deadlines import (
    CalendarError,
    CalendarSpec,
    ExceptionSpec,
    PolicyMinutes,
    compute_deadline,
    policy_for,
)
from sla.models import SlaKind, SlaPolicy

NY = ZoneInfo("America/New_York")
CALENDAR = CalendarSpec(
    time_zone="America/New_York",
    hours={day: ((time(9), time(17)),) for day in range(5)},
    holidays=frozenset({date(2026, 11, 26)}),  # Thanksgiving, a Thursday
    business_day_minutes=480,
)


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


def target(start: datetime) -> datetime:
    return compute_deadline(start=start, policy=SlaPolicy.REGULAR_TARGET, calendar=CALENDAR).due_at


def test_policy_table():
    assert policy_for(super_admin=True, business_critical=False) == SlaPolicy.STANDARD
    assert policy_for(super_admin=True, business_critical=True) == SlaPolicy.BUSINESS_CRITICAL
    assert policy_for(super_admin=False, business_critical=False) == SlaPolicy.REGULAR_TARGET


def test_guaranteed_clocks_run_around_the_clock():
    saturday_night = ny(2026, 11, 21, 23, 50)
    standard = compute_deadline(start=saturday_night, policy=SlaPolicy.STANDARD, calendar=CALENDAR)
    critical = compute_deadline(
        start=saturday_night, policy=SlaPolicy.BUSINESS_CRITICAL, calendar=CALENDAR
    )
    assert standard.due_at == saturday_night + timedelta(hours=1)
    assert standard.kind == SlaKind.GUARANTEED
    assert critical.due_at == saturday_night + timedelta(minutes=30)


def test_target_within_business_hours_is_same_time_next_business_day():
    assert target(ny(2026, 11, 23, 10, 0)) == ny(2026, 11, 24, 10, 0)  # Mon -> Tue


def test_target_submitted_seconds_before_closing_time():
    # Friday 16:59:30 leaves 30 s on Friday; the rest runs on Monday.
    due = target(ny(2026, 11, 20, 16, 59, 30))
    assert due == ny(2026, 11, 23, 16, 59, 30)


def test_target_submitted_at_the_weekend_is_end_of_monday():
    assert target(ny(2026, 11, 21, 11, 0)) == ny(2026, 11, 23, 17, 0)


def test_target_skips_a_holiday():
    # Wednesday before Thanksgiving, 14:00: 3 h Wednesday, Thursday is a holiday, 5 h Friday.
    assert target(ny(2026, 11, 25, 14, 0)) == ny(2026, 11, 27, 14, 0)


def test_target_submitted_before_opening_counts_from_opening():
    assert target(ny(2026, 11, 24, 6, 0)) == ny(2026, 11, 24, 17, 0)


def test_target_across_a_daylight_saving_change():
    # US clocks go back on Sunday 1 November 2026: Friday 15:00 EDT -> Monday 15:00 EST,
    # which is 72 h + 1 h of absolute time later.
    start = ny(2026, 10, 30, 15, 0)
    due = target(start)
    assert due == ny(2026, 11, 2, 15, 0)
    assert due.astimezone(NY).utcoffset() == timedelta(hours=-5)
    assert start.utcoffset() == timedelta(hours=-4)
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=73)


def test_guaranteed_clock_across_a_daylight_saving_change_is_absolute_time():
    start = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, just before the change
    due = compute_deadline(start=start, policy=SlaPolicy.STANDARD, calendar=CALENDAR).due_at
    assert due == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST: one real hour later


def test_overlapping_exception_makes_a_guaranteed_ticket_exempt():
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    incident = ExceptionSpec(7, start + timedelta(minutes=45), start + timedelta(hours=3), "Outage")
    later = ExceptionSpec(8, start + timedelta(hours=2), start + timedelta(hours=4), "Maintenance")
    deadline = compute_deadline(
        start=start,
        policy=SlaPolicy.STANDARD,
        calendar=CALENDAR,
        exceptions=[later, incident],
    )
    assert deadline.kind == SlaKind.EXEMPT
    assert deadline.exception == incident
    assert deadline.due_at == start + timedelta(hours=1)


def test_exception_that_ends_before_the_clock_starts_does_not_apply():
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    over = ExceptionSpec(1, start - timedelta(hours=2), start, "Earlier maintenance")
    deadline = compute_deadline(
        start=start, policy=SlaPolicy.BUSINESS_CRITICAL, calendar=CALENDAR, exceptions=[over]
    )
    assert deadline.kind == SlaKind.GUARANTEED


def test_configured_minutes_are_used():
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    due = compute_deadline(
        start=start,
        policy=SlaPolicy.BUSINESS_CRITICAL,
        calendar=CALENDAR,
        minutes=PolicyMinutes(standard=10, business_critical=2),
    ).due_at
    assert due == start + timedelta(minutes=2)


def test_calendar_without_hours_is_an_error_not_a_hang():
    with pytest.raises(CalendarError):
        compute_deadline(
            start=datetime(2026, 11, 23, tzinfo=UTC),
            policy=SlaPolicy.REGULAR_TARGET,
            calendar=CalendarSpec(time_zone="UTC", hours={}),
        )
