"""SLA services: turn a submission into its stored deadline and keep the sweep's
next-check time in step with the row."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, User
from accounts.permissions import model_permission
from helpdesk.core.textclean import clean_line, limit_message
from sla.deadlines import Deadline, compute_deadline
from sla.models import (
    BusinessCalendar,
    BusinessHours,
    DeadlineTracked,
    Holiday,
    ResponseTimeException,
    SlaKind,
    SlaPolicy,
    Weekday,
)
from sla.selectors import calendar_spec_default, exceptions_overlapping, policy_minutes

EXCEPTION_REASON_MAX = 200
EXCEPTION_REASON_TOO_LONG = limit_message(
    _("Keep the reason to {limit} characters or fewer."), EXCEPTION_REASON_MAX
)
EXCEPTION_DELETE_NOT_ALLOWED = _("Only leads may delete response-time exceptions.")
CALENDAR_NOT_ALLOWED = _("Your account may not make this change to the business calendar.")
# Calendar and holiday names (the models' max_length).
NAME_MAX = 100


def deadline_for(*, start: datetime, policy: SlaPolicy, account_id: int | None) -> Deadline:
    """Load the calendar and the exceptions that could overlap, then compute."""
    minutes = policy_minutes()
    window_end = start + timedelta(minutes=max(minutes.standard, minutes.business_critical))
    return compute_deadline(
        start=start,
        policy=policy,
        calendar=calendar_spec_default(),
        exceptions=exceptions_overlapping(start=start, end=window_end, account_id=account_id),
        minutes=minutes,
    )


def warning_time(*, start: datetime, due_at: datetime) -> datetime:
    return start + (due_at - start) * settings.SLA_WARNING_SHARE


def next_check_at(item: DeadlineTracked) -> datetime | None:
    """When the sweep next has something to do on this item, or None.

    Warning (once) before the deadline; level 1 at the deadline (breach, overdue against
    target, or exempt); further levels every interval, for guaranteed clocks only."""
    if item.answered_at is not None:
        return None
    if item.warned_at is None and item.warn_at is not None and item.warn_at < item.due_at:
        return item.warn_at
    if item.escalation_level == 0:
        return item.due_at
    if item.sla_kind == SlaKind.GUARANTEED:
        interval = timedelta(minutes=settings.SLA_ESCALATION_INTERVAL_MINUTES)
        return item.due_at + interval * item.escalation_level
    return None


def apply_deadline(
    *, item: DeadlineTracked, start: datetime, policy: SlaPolicy, account_id: int | None
) -> None:
    """Set (or reset, on reclassification) the clock fields of an item in memory."""
    deadline = deadline_for(start=start, policy=policy, account_id=account_id)
    item.sla_policy = policy
    item.sla_kind = deadline.kind
    item.due_at = deadline.due_at
    item.warn_at = warning_time(start=start, due_at=deadline.due_at)
    item.sla_exception_id = deadline.exception.id if deadline.exception else None
    item.sla_next_check_at = next_check_at(item)


@transaction.atomic
def response_time_exception_save(
    *,
    exception: ResponseTimeException,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    account: Account | None,
) -> ResponseTimeException:
    """Record a response-time exception (as `actor`'s) or change one. Clocks that
    overlap it become exempt when the sweep reaches them; the cached list is forgotten
    (sla.signals)."""
    # Shown on every ticket the exception covers: one line, under the input rule.
    reason = clean_line(
        reason,
        field="reason",
        max_length=EXCEPTION_REASON_MAX,
        too_long_message=EXCEPTION_REASON_TOO_LONG,
    )
    if exception.pk is None:
        exception.created_by = actor
    exception.starts_at, exception.ends_at = starts_at, ends_at
    exception.reason, exception.account = reason, account
    exception.full_clean()
    exception.save()
    return exception


@transaction.atomic
def response_time_exception_delete(*, exception: ResponseTimeException, actor: User) -> None:
    """Withdraw an exception. Clocks it made exempt stay exempt: the sweep has decided
    them; a ticket's `sla_exception` link is cleared."""
    if not model_permission(actor, ResponseTimeException, "delete"):
        raise PermissionDenied(EXCEPTION_DELETE_NOT_ALLOWED)
    exception.delete()


# The business calendar: its hours and holidays are what regular users' one-business-day
# target is counted in. Each change forgets the cached calendar (sla.signals).


def _calendar_allowed(actor: User, model: type[Model], action: str) -> None:
    if not model_permission(actor, model, action):
        raise PermissionDenied(CALENDAR_NOT_ALLOWED)


def _name(name: str) -> str:
    return clean_line(name, field="name", max_length=NAME_MAX)


def _add_or_change(row: Model) -> str:
    return "add" if row.pk is None else "change"


@transaction.atomic
def business_calendar_save(
    *,
    calendar: BusinessCalendar,
    actor: User,
    name: str,
    time_zone: str,
    is_default: bool,
    business_day_minutes: int,
) -> BusinessCalendar:
    """Add a calendar (`calendar` not stored yet) or change one."""
    _calendar_allowed(actor, BusinessCalendar, _add_or_change(calendar))
    calendar.name, calendar.time_zone = _name(name), time_zone
    calendar.is_default, calendar.business_day_minutes = is_default, business_day_minutes
    calendar.full_clean()
    calendar.save()
    return calendar


@transaction.atomic
def business_calendar_delete(*, calendar: BusinessCalendar, actor: User) -> None:
    """Delete a calendar with its hours and holidays (without a default one, targets
    count around the clock)."""
    _calendar_allowed(actor, BusinessCalendar, "delete")
    calendar.delete()


@transaction.atomic
def business_hours_save(
    *, hours: BusinessHours, actor: User, weekday: Weekday, opens: time, closes: time
) -> BusinessHours:
    """Add opening hours to `hours.calendar` (`hours` not stored yet) or change them."""
    _calendar_allowed(actor, BusinessHours, _add_or_change(hours))
    hours.weekday, hours.opens, hours.closes = weekday, opens, closes
    hours.full_clean()
    hours.save()
    return hours


@transaction.atomic
def business_hours_delete(*, hours: BusinessHours, actor: User) -> None:
    _calendar_allowed(actor, BusinessHours, "delete")
    hours.delete()


@transaction.atomic
def holiday_save(*, holiday: Holiday, actor: User, day: date, name: str) -> Holiday:
    """Add a holiday to `holiday.calendar` (`holiday` not stored yet) or change one."""
    _calendar_allowed(actor, Holiday, _add_or_change(holiday))
    holiday.date, holiday.name = day, _name(name)
    holiday.full_clean()
    holiday.save()
    return holiday


@transaction.atomic
def holiday_delete(*, holiday: Holiday, actor: User) -> None:
    _calendar_allowed(actor, Holiday, "delete")
    holiday.delete()


def demo_calendar_seed() -> None:
    """The demo support team: New York, Monday to Friday 9:00-17:00, US holidays."""
    with transaction.atomic():
        if BusinessCalendar.objects.filter(is_default=True).exists():
            return
        calendar = BusinessCalendar.objects.create(
            name="Premium Support (New York)", time_zone="America/New_York", is_default=True
        )
        BusinessHours.objects.bulk_create(
            BusinessHours(calendar=calendar, weekday=day, opens=time(9), closes=time(17))
            for day in range(5)
        )
        holidays = [
            (date(2026, 11, 26), "Thanksgiving"),
            (date(2026, 12, 25), "Christmas Day"),
            (date(2027, 1, 1), "New Year's Day"),
            (date(2027, 1, 18), "Martin Luther King Jr. Day"),
            (date(2027, 5, 31), "Memorial Day"),
            (date(2027, 7, 5), "Independence Day (observed)"),
            (date(2027, 9, 6), "Labor Day"),
            (date(2027, 11, 25), "Thanksgiving"),
            (date(2027, 12, 24), "Christmas Day (observed)"),
        ]
        Holiday.objects.bulk_create(Holiday(calendar=calendar, date=d, name=n) for d, n in holidays)
    # bulk_create sends no signals, so forget any cached calendar here.
    from django.core.cache import cache

    from sla.selectors import CALENDAR_CACHE_KEY

    cache.delete(CALENDAR_CACHE_KEY)
