"""What staff may do with the SLA records in the admin."""

from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP, staff_permissions_grant
from sla.models import BusinessCalendar, Holiday, ResponseTimeException


def staff_permissions_register() -> None:
    """Specialists read the calendar and the response-time exceptions; leads record
    exceptions and keep the calendar and its holidays."""
    staff_permissions_grant(
        group=SPECIALISTS_GROUP,
        models={ResponseTimeException: ("view",), BusinessCalendar: ("view",)},
    )
    staff_permissions_grant(
        group=LEADS_GROUP,
        models={
            ResponseTimeException: ("add", "change", "delete"),
            BusinessCalendar: ("add", "change"),
            Holiday: ("view", "add", "change", "delete"),
        },
    )
