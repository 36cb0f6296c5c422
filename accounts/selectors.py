"""Reads about accounts: entitlement to the premium channels."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Account,
    PremiumChannel,
    PremiumSupportPurchase,
    Subscription,
    Tier,
    User,
)


class NoEntitlementReason(models.TextChoices):
    ANONYMOUS = "anonymous", _("Log in to reach premium support.")
    STAFF = "staff", _("Staff accounts do not use the customer help channels.")
    MOBILE_APP = (
        "mobile_app",
        _(
            "Premium support is not available in the mobile app. Open the portal in a web "
            "browser to chat, email or request a callback."
        ),
    )
    NO_ACCOUNT = "no_account", _("Your user is not linked to a customer account.")
    NO_ENTERPRISE = (
        "no_enterprise",
        _(
            "Premium Support is offered with Enterprise subscriptions, and your account has no "
            "active Enterprise subscription."
        ),
    )
    NO_PREMIUM_SUPPORT = (
        "no_premium_support",
        _("Your account has no active Premium Support purchase."),
    )


HOW_TO_GET_PREMIUM = _(
    "Premium Support is an add-on for accounts with an Enterprise subscription. Ask your "
    "account's super admin or your account manager to add it."
)


@dataclass(frozen=True)
class Entitlement:
    channels: tuple[PremiumChannel, ...]
    reason: NoEntitlementReason | None = None

    @property
    def allowed(self) -> bool:
        return bool(self.channels)

    def allows(self, channel: PremiumChannel | str) -> bool:
        return channel in self.channels


def is_mobile_app(user_agent: str) -> bool:
    """Does this User-Agent come from the mobile app (MOBILE_APP_USER_AGENT_MARKER)? The
    app offers the knowledge base only: pages and sockets both ask here."""
    marker = settings.MOBILE_APP_USER_AGENT_MARKER
    return bool(marker) and marker.lower() in user_agent.lower()


def entitlement_for(
    *, user: User | AnonymousUser, request: HttpRequest | None = None, at: datetime | None = None
) -> Entitlement:
    """The premium channels this user may use from this request, or why none."""
    at = at or timezone.now()
    if not user.is_authenticated or not user.is_active:
        return Entitlement((), NoEntitlementReason.ANONYMOUS)
    if user.is_staff:
        return Entitlement((), NoEntitlementReason.STAFF)
    if request is not None and is_mobile_app(request.headers.get("User-Agent", "")):
        return Entitlement((), NoEntitlementReason.MOBILE_APP)
    if user.account_id is None:
        return Entitlement((), NoEntitlementReason.NO_ACCOUNT)
    flags = _account_flags(account_id=user.account_id, at=at)
    if not flags or not flags["premium"]:
        return Entitlement((), NoEntitlementReason.NO_PREMIUM_SUPPORT)
    if not flags["enterprise"]:
        return Entitlement((), NoEntitlementReason.NO_ENTERPRISE)
    return Entitlement(tuple(PremiumChannel))


ENTITLEMENT_CACHE_SECONDS = 60


def entitlement_cache_key(account_id: int) -> str:
    return f"entitlement:account:{account_id}"


def _account_flags(*, account_id: int, at: datetime) -> dict[str, bool] | None:
    """Whether the account has active Premium Support and an active Enterprise
    subscription. Runs on every dialog and submission, so the answer for "now" is cached
    for a minute and cleared when a purchase or subscription changes (accounts.signals)."""
    live = abs((timezone.now() - at).total_seconds()) < 1
    key = entitlement_cache_key(account_id)
    if live:
        cached = cache.get(key)
        if cached is not None:
            return cached
    # Both conditions in one query.
    flags = (
        Account.objects.filter(pk=account_id)
        .annotate(
            premium=Exists(
                PremiumSupportPurchase.objects.filter(account=OuterRef("pk")).active_at(at)
            ),
            enterprise=Exists(
                Subscription.objects.filter(account=OuterRef("pk"), tier=Tier.ENTERPRISE).active_at(
                    at
                )
            ),
        )
        .values("premium", "enterprise")
        .first()
    )
    if live and flags is not None:
        # Never cache past the next start or end of a purchase or subscription.
        cache.set(key, flags, _seconds_until_next_boundary(account_id, at))
    return flags


def _seconds_until_next_boundary(account_id: int, at: datetime) -> int:
    boundaries = [
        moment
        for model in (PremiumSupportPurchase, Subscription)
        for pair in model.objects.filter(account_id=account_id).values_list("starts_at", "ends_at")
        for moment in pair
        if moment is not None and moment > at
    ]
    soonest = min(boundaries, default=None)
    if soonest is None:
        return ENTITLEMENT_CACHE_SECONDS
    return max(1, min(ENTITLEMENT_CACHE_SECONDS, int((soonest - at).total_seconds())))


def subscriptions_for_account(*, account: Account) -> list[Subscription]:
    return list(Subscription.objects.filter(account=account).order_by("-starts_at", "hub"))


class PremiumSupportStatus(TypedDict):
    active: PremiumSupportPurchase | None
    upcoming: PremiumSupportPurchase | None


def premium_support_status(*, account: Account, at: datetime | None = None) -> PremiumSupportStatus:
    at = at or timezone.now()
    purchases = list(PremiumSupportPurchase.objects.filter(account=account))
    active = next((p for p in purchases if p.is_active_at(at)), None)
    upcoming = min(
        (p for p in purchases if p.starts_at > at), key=lambda p: p.starts_at, default=None
    )
    return {"active": active, "upcoming": upcoming}


def staff_emails(*, group: str) -> list[str]:
    """Addresses of the active staff in a group (Specialists, Leads), for notifications."""
    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=group).values_list(
            "email", flat=True
        )
    )


def user_by_email(*, email: str) -> User | None:
    """The active user with this address (addresses are stored lower-cased), for mail
    that arrives from it."""
    return User.objects.filter(email=email.strip().lower(), is_active=True).first()


def session_user(*, session_key: str | None, user_id: int) -> tuple[User, dict[str, Any]] | None:
    """The user as the database has them now, and the session's data, if the session
    `session_key` still signs
    them in: not logged out, not expired, not invalidated by a password change (Django's
    session auth hash) and the user still active. Open WebSockets call this to follow
    their user's rights after the handshake."""
    from importlib import import_module

    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import constant_time_compare

    if not session_key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    data = store.load()
    if str(data.get(SESSION_KEY, "")) != str(user_id):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    if not constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
        return None
    # The session's data matters too: it names the staff second factor's verified device.
    return user, data


class SocketAccess(models.TextChoices):
    """What a WebSocket's re-check found."""

    OK = "ok", "ok"
    SIGNED_OUT = "signed_out", "signed out"
    FORBIDDEN = "forbidden", "forbidden"


def socket_access(
    *, scope: dict[str, Any], allowed: Callable[[User, dict[str, Any]], bool]
) -> SocketAccess:
    """Re-check an open socket's user against the database and their session now.

    `allowed(user, session)` is the socket's own rule (entitled customer, specialist with
    a verified second factor...). On success the scope's user is replaced by the fresh
    one, so the socket's next actions use today's rights, not the handshake's."""
    user, session = scope.get("user"), scope.get("session")
    if user is None or not user.is_authenticated or session is None:
        return SocketAccess.SIGNED_OUT
    current = session_user(session_key=session.session_key, user_id=user.pk)
    if current is None:
        return SocketAccess.SIGNED_OUT
    fresh, data = current
    scope["user"] = fresh
    return SocketAccess.OK if allowed(fresh, data) else SocketAccess.FORBIDDEN


def _sessions_data(session_keys: set[str]) -> dict[str, dict[str, Any]]:
    """Many sessions' data at once: one cache read for the cached_db engine (what
    production runs), the store's own load for each one the cache lacks."""
    from importlib import import_module

    from django.core.cache import caches

    store = import_module(settings.SESSION_ENGINE).SessionStore
    found: dict[str, dict[str, Any]] = {}
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db":
        prefix = store.cache_key_prefix
        cached = caches[settings.SESSION_CACHE_ALIAS].get_many([prefix + k for k in session_keys])
        found = {k: cached[prefix + k] for k in session_keys if prefix + k in cached}
    for key in session_keys - found.keys():
        found[key] = store(key).load()
    return found


def socket_access_many(
    *, checks: Sequence[tuple[dict[str, Any], Callable[[User, dict[str, Any]], bool]]]
) -> list[tuple[SocketAccess, Any]]:
    """`socket_access` for many sockets at once (the process's periodic re-check round):
    the sessions in one cache read, the users in one query, then each socket's own rule.
    Each answer is (state, the user as the database has them now, or the scope's)."""
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import constant_time_compare

    keys: dict[int, str] = {}
    for i, (scope, _rule) in enumerate(checks):
        user, session = scope.get("user"), scope.get("session")
        key = getattr(session, "session_key", None)
        if user is not None and user.is_authenticated and key:
            keys[i] = key
    sessions = _sessions_data(set(keys.values()))
    user_ids = {checks[i][0]["user"].pk for i in keys}
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True)}
    answers: list[tuple[SocketAccess, Any]] = []
    for i, (scope, allowed) in enumerate(checks):
        data = sessions.get(keys[i], {}) if i in keys else {}
        user_id = scope["user"].pk if i in keys else None
        fresh = users.get(user_id) if user_id is not None else None
        signed_in = (
            fresh is not None
            and str(data.get(SESSION_KEY, "")) == str(user_id)
            and constant_time_compare(data.get(HASH_SESSION_KEY, ""), fresh.get_session_auth_hash())
        )
        if not signed_in or fresh is None:
            answers.append((SocketAccess.SIGNED_OUT, scope.get("user")))
            continue
        state = SocketAccess.OK if allowed(fresh, data) else SocketAccess.FORBIDDEN
        answers.append((state, fresh))
    return answers


def agent_get(*, user_id: int) -> User | None:
    """The active specialist or lead with this id, or None (someone to assign work to)."""
    from accounts.permissions import is_agent

    user = User.objects.filter(pk=user_id, is_active=True, is_staff=True).first()
    return user if user is not None and is_agent(user) else None


def agents_list() -> list[User]:
    """The active specialists and leads, by name: whom a ticket can be assigned to."""
    from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP

    return list(
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__name__in=[SPECIALISTS_GROUP, LEADS_GROUP]) | Q(is_superuser=True))
        .distinct()
        .order_by("full_name", "email")
    )
