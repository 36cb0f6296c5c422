"""Who may answer a survey and who reads the report."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.permissions import LEADS_GROUP, staff_permissions_grant
from helpdesk.csat.models import CsatReport, Survey


def can_rate(user: User | AnonymousUser, survey: Survey) -> bool:
    """Only the customer the survey was asked of: not a colleague, not staff."""
    return bool(user.is_authenticated and user.pk == survey.customer_id)


def staff_permissions_register() -> None:
    staff_permissions_grant(group=LEADS_GROUP, models={CsatReport: ("view",)})
