"""SLA services: turn a submission into its stored deadline and keep the sweep's
next-check time in step with the row."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, User
from helpdesk.core.textclean import clean_line, limit_message
from sla.deadlines import Deadline, compute_deadline
from sla.models import DeadlineTracked, ResponseTimeException, SlaKind, SlaPolicy
from sla.selectors import calendar_spec_default, exceptions_overlapping, policy_minutes

EXCEPTION_REASON_MAX = 200
EXCEPTION_REASON_TOO_LONG = limit_message(
    _("Keep the reason to {limit} characters or fewer."), EXCEPTION_REASON_MAX
)


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


def demo_calendar_seed() -> None:
    """The demo support team: New York, Monday to Friday 9:00-17:00, US holidays."""
    from datetime import date, time

    from sla.models import BusinessCalendar, BusinessHours, Holiday

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
