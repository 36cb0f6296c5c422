"""The audit log (django-auditlog): the SLA records whose changes move deadlines and
guarantees, namely the business calendar and the response-time exceptions."""

from auditlog.registry import auditlog

from accounts.audit import own_fields
from sla.models import BusinessCalendar, BusinessHours, Holiday, ResponseTimeException


def register() -> None:
    for model in (BusinessCalendar, BusinessHours, Holiday):
        auditlog.register(model, include_fields=own_fields(model))
    # created_at ("recorded") is the entry's own timestamp.
    auditlog.register(
        ResponseTimeException,
        include_fields=own_fields(ResponseTimeException),
        exclude_fields=["created_at"],
    )
