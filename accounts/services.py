"""Writes for accounts, users and staff groups."""

import hashlib
import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Model
from django.utils.translation import gettext_lazy as _

from accounts import notifications
from accounts.assignment import availability_hooks
from accounts.models import (
    Account,
    Hub,
    PremiumSupportPurchase,
    Role,
    Subscription,
    Tier,
    User,
)
from accounts.permissions import (
    LEADS_GROUP,
    SPECIALISTS_GROUP,
    is_agent,
    is_lead,
    is_staff_record,
    model_permission,
    staff_permissions,
)
from helpdesk.core.outbox.services import outbox_enqueue
from helpdesk.core.ratelimit import rate_limit_take, rate_limit_used
from helpdesk.core.textclean import clean_line

logger = logging.getLogger(__name__)


def _permissions(grants: set[tuple[type[Model], str]], using: str) -> list[Permission]:
    """The permission rows for these (model, action) pairs. A pair without one (a typo in
    an action, a model whose Meta has no such permission) raises: a group silently missing
    a right is found only when a specialist cannot work."""
    models = {model for model, _action in grants}
    content_types = ContentType.objects.db_manager(using).get_for_models(
        *models, for_concrete_models=False
    )
    wanted = {
        (content_types[model].pk, get_permission_codename(action, model._meta)): (model, action)
        for model, action in grants
    }
    found = {
        (p.content_type_id, p.codename): p
        for p in Permission.objects.using(using).filter(
            content_type__in=content_types.values(), codename__in={c for _, c in wanted}
        )
    }
    missing = sorted(
        f"{model._meta.label} {action!r}"
        for key, (model, action) in wanted.items()
        if key not in found
    )
    if missing:
        raise ImproperlyConfigured(
            "Staff groups are granted permissions that do not exist: " + ", ".join(missing)
        )
    return [found[key] for key in wanted]


def staff_groups_ensure(*, using: str = "default") -> None:
    """Create the Specialists and Leads groups with exactly the permissions the apps grant
    them (`accounts.permissions.staff_permissions_grant`)."""
    # Every group's permissions first: a grant that does not exist changes no group.
    wanted = {
        name: _permissions(staff_permissions(group=name), using)
        for name in (SPECIALISTS_GROUP, LEADS_GROUP)
    }
    for name, permissions in wanted.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(permissions)


@transaction.atomic
def subscription_create(
    *, account: Account, hub: Hub, tier: Tier, starts_at: datetime, ends_at: datetime | None = None
) -> Subscription:
    subscription = Subscription(
        account=account, hub=hub, tier=tier, starts_at=starts_at, ends_at=ends_at
    )
    subscription.full_clean()
    subscription.save()
    return subscription


# What the admin changes: customer accounts, their subscriptions and Premium Support
# purchases, users. Each service checks the actor's right to the model; staff records
# (specialists, leads, superusers) are the superusers' alone.

ACCOUNTS_NOT_ALLOWED = _("Your account may not make this change.")
STAFF_RIGHTS_SUPERUSER_ONLY = _("Only a superuser can change staff records and rights.")


def _allowed(actor: User, model: type[Model], action: str) -> None:
    if not model_permission(actor, model, action):
        raise PermissionDenied(ACCOUNTS_NOT_ALLOWED)


def _add_or_change(row: Model) -> str:
    return "add" if row.pk is None else "change"


def _model_line(model: type[Model], field: str, value: str) -> str:
    """A one-line text under the input rule, as long as the model's column allows."""
    column = model._meta.get_field(field)
    max_length = column.max_length if isinstance(column, CharField) else None
    return clean_line(value, field=field, max_length=max_length)


@transaction.atomic
def account_save(*, account: Account, actor: User, name: str, country: str) -> Account:
    """Add a customer account (`account` not stored yet) or change one."""
    _allowed(actor, Account, _add_or_change(account))
    account.name, account.country = _model_line(Account, "name", name), country
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def subscription_save(
    *,
    subscription: Subscription,
    actor: User,
    account: Account,
    hub: Hub,
    tier: Tier,
    starts_at: datetime,
    ends_at: datetime | None,
) -> Subscription:
    """Add a subscription (`subscription` not stored yet) or change one."""
    _allowed(actor, Subscription, _add_or_change(subscription))
    subscription.account, subscription.hub, subscription.tier = account, hub, tier
    subscription.starts_at, subscription.ends_at = starts_at, ends_at
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription, actor: User) -> None:
    _allowed(actor, Subscription, "delete")
    subscription.delete()


@transaction.atomic
def premium_support_purchase_save(
    *,
    purchase: PremiumSupportPurchase,
    actor: User,
    account: Account,
    starts_at: datetime,
    ends_at: datetime | None,
    reference: str,
) -> PremiumSupportPurchase:
    """Record a Premium Support purchase (`purchase` not stored yet) or change one."""
    _allowed(actor, PremiumSupportPurchase, _add_or_change(purchase))
    purchase.account, purchase.starts_at, purchase.ends_at = account, starts_at, ends_at
    purchase.reference = _model_line(PremiumSupportPurchase, "reference", reference)
    purchase.full_clean()
    purchase.save()
    return purchase


@transaction.atomic
def premium_support_purchase_delete(*, purchase: PremiumSupportPurchase, actor: User) -> None:
    _allowed(actor, PremiumSupportPurchase, "delete")
    purchase.delete()


def _staff_record_guard(actor: User, user: User) -> None:
    if is_staff_record(user) and not actor.is_superuser:
        raise PermissionDenied(STAFF_RIGHTS_SUPERUSER_ONLY)


@transaction.atomic
def user_create(
    *,
    user: User,
    actor: User,
    email: str,
    password: str | None,
    full_name: str,
    account: Account | None,
    role: str,
) -> User:
    """Add a user (`user` not stored yet) without staff rights: customer users, or a
    future staff member a superuser then gives them. `password` None: no password login."""
    _allowed(actor, User, "add")
    user.email, user.account, user.role = email.strip().lower(), account, role
    user.full_name = _model_line(User, "full_name", full_name)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_save(
    *,
    user: User,
    actor: User,
    email: str,
    full_name: str,
    phone: str,
    time_zone: str,
    account: Account | None,
    role: str,
    is_active: bool,
    is_staff: bool,
    is_superuser: bool,
    groups: Iterable[Group],
) -> User:
    """Change a user's record. Staff records, staff status and groups are changed by
    superusers only, whatever a form offered."""
    _allowed(actor, User, "change")
    stored = User.objects.select_for_update().get(pk=user.pk)
    _staff_record_guard(actor, stored)
    groups = set(groups)
    rights = (stored.is_staff, stored.is_superuser, set(stored.groups.all()))
    if (is_staff, is_superuser, groups) != rights and not actor.is_superuser:
        raise PermissionDenied(STAFF_RIGHTS_SUPERUSER_ONLY)
    user.email, user.account, user.role = email.strip().lower(), account, role
    user.full_name = _model_line(User, "full_name", full_name)
    user.phone = _model_line(User, "phone", phone)
    user.time_zone, user.is_active = time_zone, is_active
    user.is_staff, user.is_superuser = is_staff, is_superuser
    user.full_clean()
    user.save()
    user.groups.set(groups)
    return user


@transaction.atomic
def user_password_set(*, user: User, actor: User, password: str | None) -> User:
    """Set a user's password, or (None) turn password login off. The audit log records
    it when the actor is someone else (accounts.audit)."""
    _allowed(actor, User, "change")
    _staff_record_guard(actor, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def user_delete(*, user: User, actor: User) -> None:
    """Delete a user (tickets, chats and calls they took part in keep them: PROTECT)."""
    _allowed(actor, User, "delete")
    _staff_record_guard(actor, user)
    user.delete()


@transaction.atomic
def customer_user_create(
    *,
    account: Account,
    email: str,
    password: str,
    role: Role,
    full_name: str = "",
    phone: str = "",
    time_zone: str = "UTC",
) -> User:
    return User.objects.create_user(
        email,
        password,
        account=account,
        role=role,
        full_name=full_name,
        phone=phone,
        time_zone=time_zone,
    )


@transaction.atomic
def staff_user_create(
    *, email: str, password: str, group: str, full_name: str = "", time_zone: str = "UTC"
) -> User:
    user = User.objects.create_user(
        email, password, is_staff=True, full_name=full_name, time_zone=time_zone
    )
    user.groups.add(Group.objects.get(name=group))
    return user


LOCKOUT_LIFT_SUPERUSER_ONLY = _("Only a superuser can lift a login lockout.")


@transaction.atomic
def login_lockout_lift(*, actor: User, attempt_ids: list[int]) -> int:
    """Let these locked-out logins (account and address) try again now. Deleting the
    attempts is how django-axes forgets them; the audit log records each deletion."""
    if not (actor.is_active and actor.is_superuser):
        raise PermissionDenied(LOCKOUT_LIFT_SUPERUSER_ONLY)
    attempts = list(AccessAttempt.objects.select_for_update().filter(pk__in=attempt_ids))
    for attempt in attempts:
        attempt.delete()
    return len(attempts)


def password_reset_request(*, email: str, client: str, language: str) -> bool:
    """Queue a password reset email for the account that uses `email`, if there is one.

    The caller answers the same whatever happens here, so nobody learns whether an
    address has an account. A few requests per hour per address and per client address
    are served; past them nothing is sent, so the form cannot be used to mail-bomb an
    inbox. Returns whether a lookup was queued (for logs and tests, never for the page)."""
    address = email.strip().lower()
    if not rate_limit_take(
        scope="password-reset-client",
        ident=client,
        limit=settings.PASSWORD_RESET_REQUESTS_PER_HOUR,
    ):
        logger.warning("password reset refused: too many requests from %s", client)
        return False
    # Hashed: the cache never holds the addresses people typed, and any text makes a key.
    digest = hashlib.sha256(address.encode()).hexdigest()
    if not rate_limit_take(
        scope="password-reset-address",
        ident=digest,
        limit=settings.PASSWORD_RESET_EMAILS_PER_HOUR,
    ):
        logger.warning("password reset refused: too many requests for one address")
        return False
    # The address typed is kept in the outbox until the email is sent: the lookup happens
    # at delivery, so asking takes the same time whether or not the address has an account.
    outbox_enqueue(
        kind=notifications.PASSWORD_RESET,
        key=f"{notifications.PASSWORD_RESET}:{uuid.uuid4().hex}",
        payload={"email": address, "language": language},
    )
    return True


def password_reset_complete(*, user: User, client: str) -> None:
    """The owner of the mailbox has just chosen a new password: their login lockout from
    the address they did it from ends now. Lockouts of other addresses (perhaps the
    guesser's) stay until their window ends."""
    axes_reset(ip=client, username=user.email)


PASSWORD_CHANGE_GUESSES = _(
    "Too many wrong current passwords. Try again in %(minutes)d minutes, or log out and "
    "reset your password."
)


def _password_change_window() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def password_change_check_current(*, user: User, password: str) -> bool:
    """Is `password` the user's current one? The password change form asks for it, so it
    is limited like the login (LOGIN_FAILURE_LIMIT wrong ones per window): a stolen
    session must not become a way to guess the password. Raises PermissionDenied once
    the limit is reached, without checking."""
    window = _password_change_window()
    ident = str(user.pk)
    if rate_limit_used(scope="password-change", ident=ident, window=window) >= (
        settings.AXES_FAILURE_LIMIT
    ):
        raise PermissionDenied(PASSWORD_CHANGE_GUESSES % {"minutes": window // 60})
    if user.check_password(password):
        return True
    rate_limit_take(
        scope="password-change", ident=ident, limit=settings.AXES_FAILURE_LIMIT, window=window
    )
    return False


AVAILABILITY_STAFF_ONLY = _("Only specialists and leads have an availability.")
CAPACITY_LEADS_ONLY = _("Only leads set a specialist's chat capacity.")
CAPACITY_OUT_OF_RANGE = _("Enter a chat capacity from 0 to 20, or leave it empty for the default.")
CAPACITY_MAX = 20


def staff_availability_set(*, user: User, available: bool) -> User:
    """A specialist is Available (offered new chats and tickets) or Away. The change is
    passed on after commit (an open console follows it; waiting chats are offered)."""
    if not is_agent(user):
        raise PermissionDenied(AVAILABILITY_STAFF_ONLY)
    with transaction.atomic():
        changed = (
            User.objects.filter(pk=user.pk).exclude(available=available).update(available=available)
        )
        user.available = available
        if changed:
            user_id = user.pk
            for hook in availability_hooks():
                transaction.on_commit(partial(hook, user_id, available))
    return user


def specialist_capacity_set(*, specialist: User, capacity: int | None, actor: User) -> None:
    """A lead sets how many chats a specialist holds at once (None: the default)."""
    if not is_lead(actor):
        raise PermissionDenied(CAPACITY_LEADS_ONLY)
    if not is_agent(specialist):
        raise PermissionDenied(AVAILABILITY_STAFF_ONLY)
    if capacity is not None and not 0 <= capacity <= CAPACITY_MAX:
        raise ValidationError({"chat_capacity": CAPACITY_OUT_OF_RANGE})
    User.objects.filter(pk=specialist.pk).update(chat_capacity=capacity)
