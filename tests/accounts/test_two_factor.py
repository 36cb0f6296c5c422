"""Staff two-factor authentication: services, the socket helper, the pages, and the
server-side refusal of unverified staff sessions (forged requests included)."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.middleware import SECOND_FACTOR_NEEDED, SECOND_FACTOR_SETUP_NEEDED
from accounts.models import Account, Hub, Subscription, Tier
from accounts.two_factor import (
    ALREADY_ENROLLED,
    CODE_INVALID,
    ENROLL_CODE_INVALID,
    RECOVERY_CODE_COUNT,
    recovery_codes_regenerate,
    second_factor_disable,
    second_factor_required,
    second_factor_verify,
    session_second_factor_ok,
    too_many_attempts,
    totp_enroll_confirm,
    totp_enroll_start,
)
from tests.factories import (
    PASSWORD,
    LeadFactory,
    StaffFactory,
    SubscriptionFactory,
    SuperAdminFactory,
    ticket_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    """Frozen time: TOTP codes change every 30 s and each may be used once."""
    with time_machine.travel("2026-03-02 09:00:05Z", tick=False) as traveller:
        yield traveller


@pytest.fixture
def required(settings):
    settings.STAFF_REQUIRE_2FA = True


def code_now(device: TOTPDevice) -> str:
    """What the user's authenticator app shows at this moment."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_now(device)) + 1) % 1_000_000:06d}"


def enroll(user) -> tuple[TOTPDevice, list[str]]:
    device = totp_enroll_start(user=user)
    codes = totp_enroll_confirm(user=user, device=device, token=code_now(device))
    return device, codes


def password_login(client, user) -> None:
    """A real password login: the session knows the user, not yet a second factor."""
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302


def verify_session(client, device: TOTPDevice, clock) -> None:
    clock.shift(timedelta(seconds=30))  # the enrolment used this step's code
    response = client.post(reverse("two_factor_verify"), {"code": code_now(device)})
    assert response.status_code == 302


# Services.


def test_enrolment_confirms_the_app_with_a_real_code_and_makes_ten_recovery_codes(clock):
    user = StaffFactory()
    device = totp_enroll_start(user=user)
    assert device.confirmed is False
    assert not second_factor_required(user=user)  # not enrolled yet, setting off

    codes = totp_enroll_confirm(user=user, device=device, token=code_now(device))

    device.refresh_from_db()
    assert device.confirmed is True
    assert len(codes) == RECOVERY_CODE_COUNT == 10
    assert len(set(codes)) == 10
    stored = StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    assert sorted(stored) == sorted(codes)
    # Once enrolled, the user is asked for a code even though the team does not require it.
    assert second_factor_required(user=user)


def test_enrolment_refuses_a_wrong_code_and_stays_unconfirmed(clock):
    user = StaffFactory()
    device = totp_enroll_start(user=user)
    with pytest.raises(ValidationError) as exc:
        totp_enroll_confirm(user=user, device=device, token=wrong_code(device))
    assert exc.value.messages == [str(ENROLL_CODE_INVALID)]
    device.refresh_from_db()
    assert device.confirmed is False
    assert device.throttling_failure_count == 1  # counted, not rolled back
    assert not StaticDevice.objects.filter(user=user).exists()


def test_starting_again_replaces_the_unfinished_setup(clock):
    user = StaffFactory()
    first = totp_enroll_start(user=user)
    second = totp_enroll_start(user=user)
    assert list(TOTPDevice.objects.filter(user=user)) == [second]
    with pytest.raises(ValidationError):
        totp_enroll_confirm(user=user, device=first, token=code_now(first))


def test_an_enrolled_user_cannot_start_over_without_turning_it_off(clock):
    user = StaffFactory()
    enroll(user)
    with pytest.raises(ValidationError) as exc:
        totp_enroll_start(user=user)
    assert exc.value.messages == [str(ALREADY_ENROLLED)]
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_customers_cannot_enrol():
    with pytest.raises(PermissionDenied):
        totp_enroll_start(user=SuperAdminFactory())


def test_an_app_code_works_once_and_a_later_one_works_again(clock):
    user = StaffFactory()
    device, _ = enroll(user)
    with pytest.raises(ValidationError):  # the code just used for enrolment
        second_factor_verify(user=user, token=code_now(device))
    clock.shift(timedelta(seconds=30))
    assert second_factor_verify(user=user, token=code_now(device)) == device


def test_a_recovery_code_is_consumed_once(clock):
    user = StaffFactory()
    _, codes = enroll(user)
    verified = second_factor_verify(user=user, token=codes[0].upper())  # typed in capitals
    assert isinstance(verified, StaticDevice)
    assert two_factor.recovery_codes_left(user=user) == 9
    with pytest.raises(ValidationError) as exc:
        second_factor_verify(user=user, token=codes[0])
    assert exc.value.messages == [str(CODE_INVALID)]
    clock.shift(timedelta(seconds=1))  # past the throttle of that failure
    assert second_factor_verify(user=user, token=codes[1]) == verified


def test_wrong_codes_are_throttled_even_for_the_right_code(clock):
    user = StaffFactory()
    device, _ = enroll(user)
    clock.shift(timedelta(seconds=30))
    with pytest.raises(ValidationError) as exc:
        second_factor_verify(user=user, token=wrong_code(device))
    assert exc.value.messages == [str(CODE_INVALID)]
    # One failure: the next try waits 1 second, whatever code it brings.
    with pytest.raises(ValidationError) as exc:
        second_factor_verify(user=user, token=code_now(device))
    assert exc.value.messages == [too_many_attempts(1)]
    clock.shift(timedelta(seconds=1))
    with pytest.raises(ValidationError):
        second_factor_verify(user=user, token=wrong_code(device))
    with pytest.raises(ValidationError) as exc:  # two failures: 2 seconds
        second_factor_verify(user=user, token=code_now(device))
    assert exc.value.messages == [too_many_attempts(2)]
    clock.shift(timedelta(seconds=2))
    assert second_factor_verify(user=user, token=code_now(device)) == device


def test_regenerating_recovery_codes_invalidates_the_old_ones(clock):
    user = StaffFactory()
    _, old = enroll(user)
    new = recovery_codes_regenerate(user=user)
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(ValidationError):
        second_factor_verify(user=user, token=old[0])
    clock.shift(timedelta(minutes=1))
    assert isinstance(second_factor_verify(user=user, token=new[0]), StaticDevice)


def test_turning_it_off_needs_a_current_code(clock):
    user = StaffFactory()
    device, _ = enroll(user)
    with pytest.raises(ValidationError):
        second_factor_disable(user=user, token=code_now(device))  # already used
    clock.shift(timedelta(seconds=30))
    second_factor_disable(user=user, token=code_now(device))
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert not second_factor_required(user=user)


# The socket helper.


def test_session_helper_lets_everyone_through_who_owes_no_second_factor(settings):
    settings.STAFF_REQUIRE_2FA = False
    from django.contrib.auth.models import AnonymousUser

    assert session_second_factor_ok(user=StaffFactory(), session={})
    assert session_second_factor_ok(user=SuperAdminFactory(), session={})
    assert session_second_factor_ok(user=AnonymousUser(), session={})
    settings.STAFF_REQUIRE_2FA = True
    assert session_second_factor_ok(user=SuperAdminFactory(), session={})  # customers
    assert not session_second_factor_ok(user=StaffFactory(), session={})


def test_session_helper_needs_a_confirmed_device_of_that_user(clock, required):
    user, other = StaffFactory(), StaffFactory()
    device, _ = enroll(user)
    other_device, _ = enroll(other)
    pending = TOTPDevice.objects.create(user=StaffFactory(), confirmed=False)
    session = SessionStore()
    assert not session_second_factor_ok(user=user, session=session)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    assert session_second_factor_ok(user=user, session=session)
    recovery = StaticDevice.objects.get(user=user)
    assert session_second_factor_ok(
        user=user, session={DEVICE_ID_SESSION_KEY: recovery.persistent_id}
    )
    for foreign in (other_device.persistent_id, "otp_totp.totpdevice/999999", "nonsense"):
        assert not session_second_factor_ok(user=user, session={DEVICE_ID_SESSION_KEY: foreign})
    assert not session_second_factor_ok(
        user=pending.user, session={DEVICE_ID_SESSION_KEY: pending.persistent_id}
    )


def test_session_helper_asks_an_enrolled_user_even_when_not_required(clock, settings):
    settings.STAFF_REQUIRE_2FA = False
    user = StaffFactory()
    device, _ = enroll(user)
    assert not session_second_factor_ok(user=user, session={})
    assert session_second_factor_ok(
        user=user, session={DEVICE_ID_SESSION_KEY: device.persistent_id}
    )
    device.delete()  # turned off elsewhere: a stale id proves nothing, but nothing is owed
    assert session_second_factor_ok(
        user=user, session={DEVICE_ID_SESSION_KEY: device.persistent_id}
    )


# Pages.


def test_the_admin_links_to_the_two_factor_page(client):
    client.force_login(StaffFactory())
    page = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("two_factor")}">Two-factor authentication</a>' in page
    assert "Log out" in page  # the admin's own user links are still there


def test_enrolment_through_the_pages_shows_a_qr_code_then_the_recovery_codes_once(client, clock):
    user = StaffFactory()
    client.force_login(user)
    overview = client.get(reverse("two_factor")).content.decode()
    assert "Set up two-factor authentication" in overview

    response = client.post(reverse("two_factor_enroll_start"))
    assert response["Location"] == reverse("two_factor_enroll")
    page = client.get(reverse("two_factor_enroll")).content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert 'src="data:image/svg+xml;' in page  # CSP allows data: images, no inline script
    assert "<script>" not in page and "style=" not in page
    secret = page.split('id="two-factor-secret">')[1].split("<")[0]
    from base64 import b32encode

    assert secret.replace(" ", "") == b32encode(device.bin_key).decode()

    wrong = client.post(reverse("two_factor_enroll"), {"code": "12"})
    assert str(ENROLL_CODE_INVALID) in wrong.content.decode()

    clock.shift(timedelta(seconds=2))  # past the throttle of that wrong try
    response = client.post(reverse("two_factor_enroll"), {"code": code_now(device)})
    assert response["Location"] == reverse("two_factor_recovery_codes")
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    codes_page = client.get(reverse("two_factor_recovery_codes")).content.decode()
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(codes) == 10 and all(f"<code>{code}</code>" in codes_page for code in codes)
    assert "shown only this once" in codes_page
    # Shown once: the page does not show them again.
    again = client.get(reverse("two_factor_recovery_codes"))
    assert again.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200  # verified by the setup


def test_after_password_login_an_enrolled_specialist_must_enter_the_code(client, clock):
    user = StaffFactory()
    device, _ = enroll(user)
    password_login(client, user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor_verify')}?next=%2Fadmin%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Enter the 6-digit code from your authenticator app" in page
    assert "SLA alerts" not in page  # no live alerts for a session not yet verified

    key_before = client.session.session_key
    clock.shift(timedelta(seconds=30))
    response = client.post(
        reverse("two_factor_verify"), {"code": code_now(device), "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.session.session_key != key_before  # a fresh key for the stronger session
    assert client.get(reverse("admin:index")).status_code == 200


def test_verify_page_refuses_a_wrong_code_and_does_not_follow_foreign_next(client, clock):
    user = StaffFactory()
    device, codes = enroll(user)
    password_login(client, user)
    page = client.post(reverse("two_factor_verify"), {"code": "123456x"}).content.decode()
    assert str(CODE_INVALID) in page
    assert DEVICE_ID_SESSION_KEY not in client.session
    clock.shift(timedelta(minutes=1))
    response = client.post(
        reverse("two_factor_verify"), {"code": codes[0], "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")  # the inbox for agents


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(client, clock):
    user = StaffFactory()
    _, codes = enroll(user)
    password_login(client, user)
    response = client.post(reverse("two_factor_verify"), {"code": codes[3]}, follow=True)
    assert "You used a recovery code; 9 are left." in response.content.decode()
    client.post(reverse("logout"))

    password_login(client, user)
    page = client.post(reverse("two_factor_verify"), {"code": codes[3]}).content.decode()
    assert str(CODE_INVALID) in page
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_throttle_message_is_translated(client, clock):
    user = StaffFactory()
    device, _ = enroll(user)
    password_login(client, user)
    client.post(reverse("two_factor_verify"), {"code": wrong_code(device)})
    page = client.post(
        reverse("two_factor_verify"), {"code": wrong_code(device)}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    with translation.override("fr"):
        expected = too_many_attempts(1)
    assert expected.startswith("Trop de codes erronés")
    assert expected in page


def test_with_the_setting_on_a_specialist_without_an_app_is_sent_to_setup(client, required):
    user = StaffFactory()
    password_login(client, user)
    response = client.get(reverse("admin:index"))
    assert response["Location"] == f"{reverse('two_factor')}?next=%2Fadmin%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Your team requires two-factor authentication for staff" in page


def test_with_the_setting_off_staff_without_an_app_notice_nothing(client, settings):
    settings.STAFF_REQUIRE_2FA = False
    client.force_login(StaffFactory())
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("chat_console")).status_code == 200


def test_a_password_only_session_cannot_regenerate_codes_or_turn_it_off(client, clock):
    user = StaffFactory()
    device, codes = enroll(user)
    password_login(client, user)
    response = client.post(reverse("two_factor_recovery_codes_regenerate"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    clock.shift(timedelta(seconds=30))
    response = client.post(reverse("two_factor_disable"), {"code": code_now(device)})
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert sorted(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    ) == sorted(codes)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    # Nor can it replace the app with one of its own.
    client.post(reverse("two_factor_enroll_start"))
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


def test_a_verified_specialist_regenerates_codes_and_turns_it_off_with_a_code(
    client, clock, required
):
    user = StaffFactory()
    device, old = enroll(user)
    password_login(client, user)
    verify_session(client, device, clock)
    response = client.post(reverse("two_factor_recovery_codes_regenerate"), follow=True)
    new = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert not set(new) & set(old)
    assert all(code in response.content.decode() for code in new)

    page = client.post(reverse("two_factor_disable"), {"code": "000000"}).content.decode()
    assert str(CODE_INVALID) in page
    clock.shift(timedelta(seconds=30))
    response = client.post(reverse("two_factor_disable"), {"code": code_now(device)})
    assert response["Location"] == reverse("two_factor")
    assert not TOTPDevice.objects.filter(user=user).exists()
    # Required by the team: the admin now sends them to set it up again.
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("two_factor"))


def test_customers_are_unaffected_and_cannot_open_the_two_factor_pages(client, required):
    customer = SuperAdminFactory()
    password_login(client, customer)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("ticket_list")).status_code == 200
    assert client.get(reverse("two_factor")).status_code == 403
    assert client.get(reverse("two_factor_verify")).status_code == 403


# Forged requests: an unverified staff session is refused by the server, not by a template.


@pytest.fixture
def unverified_lead(client, clock, required):
    lead = LeadFactory()
    device, _ = enroll(lead)
    password_login(client, lead)
    return lead, device


def _subscription_post(subscription: Subscription, tier: str) -> dict[str, str]:
    start, end = (
        timezone.localtime(subscription.starts_at),
        timezone.localtime(subscription.ends_at),
    )
    return {
        "account": str(subscription.account_id),
        "hub": Hub.SERVICE,
        "tier": tier,
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"),
    }


def test_unverified_staff_session_is_refused_everywhere_staff_work(client, unverified_lead):
    subscription = SubscriptionFactory(tier=Tier.ENTERPRISE)
    verify = reverse("two_factor_verify")

    changelist = client.get(reverse("admin:accounts_subscription_changelist"))
    assert changelist.status_code == 302 and changelist["Location"].startswith(verify)

    change = reverse("admin:accounts_subscription_change", args=[subscription.pk])
    post = client.post(change, _subscription_post(subscription, Tier.STARTER))
    assert post.status_code == 302 and post["Location"].startswith(verify)
    subscription.refresh_from_db()
    assert subscription.tier == Tier.ENTERPRISE

    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "subscription", "field_name": "account"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert autocomplete.status_code == 403
    body = json.loads(autocomplete.content)
    assert body == {
        "error": "second_factor_required",
        "detail": str(SECOND_FACTOR_NEEDED),
        "url": verify,
    }

    console = client.get(reverse("chat_console"))
    assert console.status_code == 302 and console["Location"].startswith(verify)

    fragment = client.get(reverse("callback_queue_panel"), HTTP_SEC_FETCH_DEST="empty")
    assert fragment.status_code == 403
    assert json.loads(fragment.content)["error"] == "second_factor_required"
    assert client.get(reverse("callback_queue_panel")).status_code == 302

    password = client.post(
        reverse("password_change"),
        {
            "old_password": "x",
            "new_password1": "Brand-new-2026!",
            "new_password2": "Brand-new-2026!",
        },
    )
    assert password.status_code == 302 and password["Location"].startswith(verify)


def test_a_json_client_without_an_app_is_told_to_set_it_up(client, required):
    password_login(client, StaffFactory())
    response = client.get(
        reverse("admin:accounts_account_changelist"), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    assert json.loads(response.content)["detail"] == str(SECOND_FACTOR_SETUP_NEEDED)


def test_unverified_staff_can_still_log_out_and_reach_the_two_factor_pages(client, unverified_lead):
    assert client.get(reverse("two_factor_verify")).status_code == 200
    # The portal's pages wait for the code too (the review found ticket pages open).
    assert client.get(reverse("kb_index"))["Location"].startswith(reverse("two_factor_verify"))
    assert client.get("/static/css/two-factor.css").status_code == 200
    response = client.post(reverse("admin:logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_verified_staff_session_passes(client, clock, unverified_lead):
    lead, device = unverified_lead
    verify_session(client, device, clock)
    subscription = SubscriptionFactory(tier=Tier.ENTERPRISE)
    assert client.get(reverse("admin:accounts_subscription_changelist")).status_code == 200

    change = reverse("admin:accounts_subscription_change", args=[subscription.pk])
    post = client.post(change, _subscription_post(subscription, Tier.STARTER))
    assert post.status_code == 302
    assert post["Location"] == reverse("admin:accounts_subscription_changelist")
    subscription.refresh_from_db()
    assert subscription.tier == Tier.STARTER

    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "accounts",
            "model_name": "subscription",
            "field_name": "account",
            "term": subscription.account.name,
        },
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert autocomplete.status_code == 200
    names = [row["text"] for row in json.loads(autocomplete.content)["results"]]
    assert names == [Account.objects.get(pk=subscription.account_id).name]

    assert client.get(reverse("chat_console")).status_code == 200
    assert (
        client.get(reverse("callback_queue_panel"), HTTP_SEC_FETCH_DEST="empty").status_code == 200
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Configurer l'authentification à deux facteurs"), ("ja", "2要素認証を設定")],
)
def test_the_pages_speak_the_staff_members_language(client, language, expected):
    client.force_login(StaffFactory())
    page = client.get(reverse("two_factor"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected in page
    admin = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'href="{reverse("two_factor")}">' in admin
    assert "Two-factor authentication" not in admin


def test_unverified_staff_cannot_work_tickets_outside_the_admin(client, unverified_lead):
    """The portal's own pages refuse the session too: ticket pages (with internal notes),
    replies, callback cancellation and unpublished articles wait for the code."""
    verify = reverse("two_factor_verify")
    ticket = ticket_for(SuperAdminFactory())
    page = client.get(reverse("ticket_detail", args=[ticket.pk]))
    assert page.status_code == 302 and page["Location"].startswith(verify)
    reply = client.post(
        reverse("ticket_reply", args=[ticket.pk]), {"body": "Hello", "visibility": "internal"}
    )
    assert reply.status_code == 302 and reply["Location"].startswith(verify)
    assert ticket.replies.count() == 0
    cancel = client.post(reverse("callback_cancel", args=[1]))
    assert cancel.status_code == 302 and cancel["Location"].startswith(verify)
    draft = client.get("/kb/some-draft/")
    assert draft.status_code == 302 and draft["Location"].startswith(verify)
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(verify)
    # Still open: the verification page, the language switch, logging out.
    assert client.get(verify).status_code == 200
    assert client.post(reverse("set_language"), {"language": "fr"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
