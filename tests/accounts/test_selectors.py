from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory, override_settings
from django.utils import timezone

from accounts.models import PremiumChannel, Tier
from accounts.selectors import NoEntitlementReason, entitlement_for
from tests.factories import (
    AccountFactory,
    PremiumAccountFactory,
    PremiumSupportPurchaseFactory,
    StaffFactory,
    SubscriptionFactory,
    SuperAdminFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ALL_CHANNELS = (PremiumChannel.CHAT, PremiumChannel.EMAIL, PremiumChannel.PHONE)


def _request(user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156"):
    return RequestFactory().get("/", HTTP_USER_AGENT=user_agent)


def test_super_admin_and_regular_user_of_a_premium_account_get_all_three_channels():
    admin = SuperAdminFactory()
    regular = UserFactory(account=admin.account)
    for user in (admin, regular):
        entitlement = entitlement_for(user=user, request=_request())
        assert entitlement.channels == ALL_CHANNELS
        assert entitlement.reason is None


def test_account_without_premium_support_gets_no_channel_and_the_reason():
    account = AccountFactory()
    SubscriptionFactory(account=account, tier=Tier.ENTERPRISE)
    entitlement = entitlement_for(user=UserFactory(account=account), request=_request())
    assert entitlement.channels == ()
    assert entitlement.reason == NoEntitlementReason.NO_PREMIUM_SUPPORT


def test_premium_support_without_an_active_enterprise_subscription_is_not_enough():
    account = AccountFactory()
    SubscriptionFactory(account=account, tier=Tier.PROFESSIONAL)
    PremiumSupportPurchaseFactory(account=account)
    now = timezone.now()
    # An Enterprise subscription that ended yesterday does not count either.
    SubscriptionFactory(
        account=account, starts_at=now - timedelta(days=400), ends_at=now - timedelta(days=1)
    )
    entitlement = entitlement_for(user=UserFactory(account=account), request=_request())
    assert entitlement.channels == ()
    assert entitlement.reason == NoEntitlementReason.NO_ENTERPRISE


@pytest.mark.parametrize(
    ("starts", "ends"),
    [(-400, -1), (1, 365)],
    ids=["expired purchase", "future-dated purchase"],
)
def test_expired_and_future_purchases_are_inactive(starts, ends):
    account = AccountFactory()
    SubscriptionFactory(account=account)
    now = timezone.now()
    PremiumSupportPurchaseFactory(
        account=account, starts_at=now + timedelta(days=starts), ends_at=now + timedelta(days=ends)
    )
    entitlement = entitlement_for(user=UserFactory(account=account), request=_request())
    assert entitlement.reason == NoEntitlementReason.NO_PREMIUM_SUPPORT


def test_purchase_counts_from_its_start_to_just_before_its_end():
    account = PremiumAccountFactory()
    purchase = account.premium_support_purchases.get()
    user = UserFactory(account=account)
    assert entitlement_for(user=user, at=purchase.starts_at).allowed
    assert not entitlement_for(user=user, at=purchase.ends_at).allowed


def test_mobile_app_user_agent_gets_no_channel():
    user = SuperAdminFactory()
    entitlement = entitlement_for(
        user=user, request=_request("Mozilla/5.0 (iPhone) PremiumDeskMobile/3.2")
    )
    assert entitlement.channels == ()
    assert entitlement.reason == NoEntitlementReason.MOBILE_APP


@override_settings(MOBILE_APP_USER_AGENT_MARKER="AcmeCompanion")
def test_mobile_app_marker_is_configurable():
    user = SuperAdminFactory()
    assert entitlement_for(user=user, request=_request("PremiumDeskMobile/3.2")).allowed
    blocked = entitlement_for(user=user, request=_request("acmecompanion/1.0 (Android)"))
    assert blocked.reason == NoEntitlementReason.MOBILE_APP


def test_staff_users_get_no_customer_channel():
    entitlement = entitlement_for(user=StaffFactory(), request=_request())
    assert entitlement.reason == NoEntitlementReason.STAFF


def test_anonymous_and_deactivated_users_get_no_channel():
    assert entitlement_for(user=AnonymousUser()).reason == NoEntitlementReason.ANONYMOUS
    inactive = SuperAdminFactory(is_active=False)
    assert entitlement_for(user=inactive).reason == NoEntitlementReason.ANONYMOUS


def test_ending_a_purchase_takes_effect_at_once_despite_the_cache():
    user = SuperAdminFactory()
    assert entitlement_for(user=user).allowed  # now cached
    purchase = user.account.premium_support_purchases.get()
    purchase.ends_at = timezone.now() - timedelta(seconds=1)
    purchase.starts_at = purchase.ends_at - timedelta(days=30)
    purchase.save()
    assert entitlement_for(user=user).reason == NoEntitlementReason.NO_PREMIUM_SUPPORT


def test_cached_entitlement_never_outlives_the_purchase_end():
    from accounts.selectors import _seconds_until_next_boundary

    user = SuperAdminFactory()
    purchase = user.account.premium_support_purchases.get()
    now = timezone.now()
    purchase.ends_at = now + timedelta(seconds=5)
    purchase.save()
    assert _seconds_until_next_boundary(user.account_id, now) == 5
    purchase.ends_at = now + timedelta(days=5)
    purchase.save()
    assert _seconds_until_next_boundary(user.account_id, now) == 60


@pytest.mark.django_db
def test_socket_access_many_answers_as_socket_access_does_one_by_one():
    """The periodic round's batch gives each socket the answer its own check would:
    signed in, signed out (logged out, password changed elsewhere, deactivated, a session
    of someone else), or not allowed by the socket's rule."""
    from importlib import import_module

    from django.conf import settings
    from django.test import Client

    from accounts.selectors import socket_access, socket_access_many
    from tests.factories import SuperAdminFactory

    store = import_module(settings.SESSION_ENGINE).SessionStore

    def scope_for(user):
        client = Client()
        client.force_login(user)
        return {"user": user, "session": store(client.cookies["sessionid"].value)}

    fine, logged_out, new_password, gone, refused = (SuperAdminFactory() for _ in range(5))
    scopes = {u.pk: scope_for(u) for u in (fine, logged_out, new_password, gone, refused)}
    scopes[logged_out.pk]["session"].delete()
    new_password.set_password("another-pass-2026")
    new_password.save()
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    stranger = {"user": fine, "session": scope_for(refused)["session"]}  # not their session

    def rule(user, session):
        return user.pk != refused.pk

    checks = [(scopes[pk], rule) for pk in scopes] + [(stranger, rule)]
    one_by_one = [socket_access(scope=dict(scope), allowed=rule).value for scope, rule in checks]
    batch = [state.value for state, _ in socket_access_many(checks=checks)]
    assert (
        batch
        == one_by_one
        == ["ok", "signed_out", "signed_out", "signed_out", "forbidden", "signed_out"]
    )
