"""Plain predicates about who may do what. Views and services enforce them. Also what
each staff group may do in the admin, as every app declares it for its own models."""

from collections.abc import Iterable, Mapping
from typing import Protocol, TypeGuard

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q

from accounts.models import (
    Account,
    PremiumSupportPurchase,
    Role,
    Specialist,
    Subscription,
    User,
)

SPECIALISTS_GROUP = "Specialists"
LEADS_GROUP = "Leads"

# (model, action) pairs per staff group, filled by each app's ready() through
# staff_permissions_grant; `staff_groups_ensure` gives the groups exactly these.
_staff_grants: dict[str, set[tuple[type[Model], str]]] = {
    SPECIALISTS_GROUP: set(),
    LEADS_GROUP: set(),
}


def staff_permissions_grant(*, group: str, models: Mapping[type[Model], Iterable[str]]) -> None:
    """Let a staff group use these models in the admin: for each model, the actions among
    Django's default permissions ("view", "add", "change", "delete"). Leads also get
    everything specialists get. A model or action without a permission makes
    `staff_groups_ensure` raise."""
    if group not in _staff_grants:
        raise ValueError(f"No staff group {group!r}: use SPECIALISTS_GROUP or LEADS_GROUP.")
    for model, actions in models.items():
        if isinstance(actions, str):
            raise TypeError(f"Give {model.__name__}'s actions as a tuple, not {actions!r}.")
        _staff_grants[group].update((model, action) for action in actions)


def staff_permissions(*, group: str) -> set[tuple[type[Model], str]]:
    """The (model, action) pairs granted to a staff group; leads' include specialists'."""
    grants = set(_staff_grants[SPECIALISTS_GROUP])
    if group == LEADS_GROUP:
        grants |= _staff_grants[LEADS_GROUP]
    return grants


def model_permission(user: User | AnonymousUser, model: type[Model], action: str) -> bool:
    """Django's `action` permission ("view", "add", "change", "delete") on `model`, named
    by the model rather than by a "app_label.codename" string: nothing to mistype, and
    it follows the model if its app's label changes."""
    if not (user.is_authenticated and user.is_active):
        return False
    codename = get_permission_codename(action, model._meta)
    return user.has_perm(f"{model._meta.app_label}.{codename}")


def is_customer(user: User | AnonymousUser) -> TypeGuard[User]:
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


class CustomerItem(Protocol):
    """Something a customer asked for (a ticket, a callback request): whose account it
    belongs to, and who asked."""

    @property
    def account_id(self) -> int | None: ...

    @property
    def requester_id(self) -> int | None: ...


def can_view_customer_item(user: User | AnonymousUser, item: CustomerItem) -> bool:
    """Agents see every item; a super admin sees the account's; a regular user their own.
    `customer_item_filter` is the same rule as a query."""
    if is_agent(user):
        return True
    if not is_customer(user) or item.account_id != user.account_id:
        return False
    return is_super_admin(user) or item.requester_id == user.pk


def customer_item_filter(user: User | AnonymousUser) -> Q:
    """`can_view_customer_item` as a filter on a model with `account` and `requester`
    (tickets, callback requests): the items this user may see."""
    if is_agent(user):
        return Q()
    if not is_customer(user):
        return Q(pk__in=[])
    visible = Q(account_id=user.account_id)
    if not is_super_admin(user):
        visible &= Q(requester_id=user.pk)
    return visible


def is_staff_record(user: User) -> bool:
    """Specialists, leads and superusers: records only a superuser may change."""
    return bool(user.is_staff or user.is_superuser)


def staff_record_excluded() -> Q:
    """The users a non-superuser may manage: customer users only."""
    return Q(is_staff=False, is_superuser=False)


def staff_permissions_register() -> None:
    """Both staff groups read customer records; leads manage customers and read the login
    failures (django-axes) and the audit log, changing neither (superusers lift
    lockouts; nobody edits an audit entry), and watch the outbox of outgoing emails."""
    from auditlog.models import LogEntry
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from helpdesk.core.outbox.models import OutboxMessage
    from helpdesk.core.webhooks.models import WebhookDelivery, WebhookEndpoint

    staff_permissions_grant(
        group=SPECIALISTS_GROUP,
        models={
            Account: ("view",),
            Subscription: ("view",),
            PremiumSupportPurchase: ("view",),
            User: ("view",),
            Specialist: ("view",),
        },
    )
    staff_permissions_grant(
        group=LEADS_GROUP,
        models={
            Account: ("add", "change"),
            Subscription: ("add", "change", "delete"),
            PremiumSupportPurchase: ("add", "change", "delete"),
            User: ("add", "change"),
            Specialist: ("change",),  # availability is the specialist's; capacity the lead's
            AccessAttempt: ("view",),
            AccessFailureLog: ("view",),
            AccessLog: ("view",),
            LogEntry: ("view",),
            # The outbox: what waits to be sent, what failed and why; Retry for stopped rows.
            OutboxMessage: ("view", "retry"),
            # Webhook endpoints, and their deliveries' log with Resend.
            WebhookEndpoint: ("view", "add", "change", "delete"),
            WebhookDelivery: ("view", "resend"),
        },
    )
