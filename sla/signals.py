"""Cache upkeep only: business rules never live in signals."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from sla.models import BusinessCalendar, BusinessHours, Holiday, ResponseTimeException
from sla.selectors import CALENDAR_CACHE_KEY, EXCEPTIONS_CACHE_KEY


def _forget_calendar(**kwargs) -> None:
    cache.delete(CALENDAR_CACHE_KEY)


def _forget_exceptions(**kwargs) -> None:
    cache.delete(EXCEPTIONS_CACHE_KEY)


def connect() -> None:
    post_save.connect(_forget_exceptions, sender=ResponseTimeException, dispatch_uid="sla.exc.s")
    post_delete.connect(_forget_exceptions, sender=ResponseTimeException, dispatch_uid="sla.exc.d")
    for model in (BusinessCalendar, BusinessHours, Holiday):
        post_save.connect(_forget_calendar, sender=model, dispatch_uid=f"sla.cal.save.{model}")
        post_delete.connect(_forget_calendar, sender=model, dispatch_uid=f"sla.cal.del.{model}")
