"""Writes for accounts, users and staff groups."""

import hashlib
import logging
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import tasks
from accounts.models import (
    Account,
    Hub,
    PremiumSupportPurchase,
    Role,
    Subscription,
    Tier,
    User,
)
from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP
from helpdesk.core.ratelimit import rate_limit_take, rate_limit_used

logger = logging.getLogger(__name__)

# What each staff group may do in the admin, as "app_label.codename". Specialists work
# tickets, callbacks and chats and read customer records; leads also manage customers,
# articles, calendars and response-time exceptions. Entries for models that do not
# exist yet are skipped, so apps can grow without touching this function.
SPECIALIST_PERMISSIONS: tuple[str, ...] = (
    "accounts.view_account",
    "accounts.view_subscription",
    "accounts.view_premiumsupportpurchase",
    "accounts.view_user",
    "tickets.view_ticket",
    "tickets.change_ticket",
    "tickets.view_reply",
    "tickets.add_reply",
    "tickets.view_ticketevent",
    "kb.view_article",
    "callbacks.view_callbackrequest",
    "callbacks.change_callbackrequest",
    "callbacks.view_callbackattempt",
    "callbacks.add_callbackattempt",
    "callbacks.view_callbackevent",
    "chat.view_conversation",
    "chat.change_conversation",
    "chat.view_message",
    "sla.view_responsetimeexception",
    "sla.view_businesscalendar",
)
LEAD_PERMISSIONS: tuple[str, ...] = SPECIALIST_PERMISSIONS + (
    "accounts.add_account",
    "accounts.change_account",
    "accounts.add_subscription",
    "accounts.change_subscription",
    "accounts.delete_subscription",
    "accounts.add_premiumsupportpurchase",
    "accounts.change_premiumsupportpurchase",
    "accounts.delete_premiumsupportpurchase",
    "accounts.add_user",
    "accounts.change_user",
    "kb.add_article",
    "kb.change_article",
    "kb.delete_article",
    "kb.view_articlefeedback",
    "kb.view_helpquestion",
    "sla.add_responsetimeexception",
    "sla.change_responsetimeexception",
    "sla.delete_responsetimeexception",
    "sla.add_businesscalendar",
    "sla.change_businesscalendar",
    "sla.add_holiday",
    "sla.change_holiday",
    "sla.delete_holiday",
    "sla.view_holiday",
    "tickets.view_slaattainmentreport",
    # Login failures and lockouts (django-axes): read only; superusers lift lockouts.
    "axes.view_accessattempt",
    "axes.view_accessfailurelog",
    "axes.view_accesslog",
    # The audit log of security-relevant changes: read and export, never edit.
    "auditlog.view_logentry",
)


def _permissions(codes: tuple[str, ...], using: str) -> list[Permission]:
    wanted = {tuple(code.split(".", 1)) for code in codes}
    perms = Permission.objects.using(using).select_related("content_type")
    return [p for p in perms if (p.content_type.app_label, p.codename) in wanted]


def staff_groups_ensure(*, using: str = "default") -> None:
    """Create the Specialists and Leads groups with exactly their permissions."""
    for name, codes in (
        (SPECIALISTS_GROUP, SPECIALIST_PERMISSIONS),
        (LEADS_GROUP, LEAD_PERMISSIONS),
    ):
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(_permissions(codes, using))


@transaction.atomic
def account_create(*, name: str, country: str = "US") -> Account:
    account = Account(name=name, country=country)
    account.full_clean()
    account.save()
    return account


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


@transaction.atomic
def premium_support_purchase_create(
    *, account: Account, starts_at: datetime, ends_at: datetime | None = None, reference: str = ""
) -> PremiumSupportPurchase:
    purchase = PremiumSupportPurchase(
        account=account, starts_at=starts_at, ends_at=ends_at, reference=reference
    )
    purchase.full_clean()
    purchase.save()
    return purchase


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
    tasks.password_reset_email.delay(address, language)
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
