"""Plain predicates about who may do what. Views and services enforce them."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import Role, User

SPECIALISTS_GROUP = "Specialists"
LEADS_GROUP = "Leads"


def is_customer(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.account_id and not user.is_staff)


def is_super_admin(user: User | AnonymousUser) -> bool:
    return is_customer(user) and user.role == Role.SUPER_ADMIN


def can_flag_business_critical(user: User | AnonymousUser) -> bool:
    """PRODUCT.md §3: only super admins flag business-critical, and only on email."""
    return is_super_admin(user)


def _in_group(user: User | AnonymousUser, name: str) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=name).exists()


def is_lead(user: User | AnonymousUser) -> bool:
    return _in_group(user, LEADS_GROUP)


def is_agent(user: User | AnonymousUser) -> bool:
    """Specialists and leads: the staff who answer customers."""
    return is_lead(user) or _in_group(user, SPECIALISTS_GROUP)


def is_staff_record(user: User) -> bool:
    """Specialists, leads and superusers: records only a superuser may change."""
    return bool(user.is_staff or user.is_superuser)


def staff_record_excluded() -> Q:
    """The users a non-superuser may manage: customer users only."""
    return Q(is_staff=False, is_superuser=False)
