"""Password reset by email and password change: the same answer for every address, limits
against mail bombs, links from PORTAL_BASE_URL that expire and work once, the login lockout
lifted by a reset, translated emails and pages, clear messages for bad input."""

import re
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import password_reset_request
from tests.factories import PASSWORD, StaffFactory, SuperAdminFactory, UserFactory

# The reset email is recorded in the outbox and leaves when the request commits, as in
# production: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

PORTAL = "https://support.example.com"
NEW_PASSWORD = "lantern-orchard-1987"
LINK = re.compile(r"https?://\S+/password/reset/[^/\s]+/[^/\s]+/")
DONE_TEXT = "If an account uses the address you entered, we have sent it a link"
INVALID_LINK_TEXT = "Password reset links work once, for 60 minutes."


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PORTAL_BASE_URL = PORTAL
    settings.PASSWORD_RESET_TIMEOUT = 60 * 60
    settings.PASSWORD_RESET_EMAILS_PER_HOUR = 3
    settings.PASSWORD_RESET_REQUESTS_PER_HOUR = 10
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _ask(client, email, address="198.51.100.20", **extra):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address, **extra)


def _link_path(message) -> str:
    url = LINK.search(message.body).group(0)
    assert url.startswith(PORTAL + "/")
    return url.removeprefix(PORTAL)


def _set_new_password(client, path, password=NEW_PASSWORD, address="127.0.0.1"):
    """Open the emailed link (Django moves the token into the session) and choose a
    password; returns the final response."""
    response = client.get(path, REMOTE_ADDR=address)
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    assert "Choose a new password" in client.get(form_url).content.decode()
    data = {"new_password1": password, "new_password2": password}
    return client.post(form_url, data, REMOTE_ADDR=address)


def _can_log_in(client, email, password, address="198.51.100.20") -> bool:
    client.logout()
    response = client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )
    return response.status_code == 302 and "_auth_user_id" in client.session


def _without_csrf(html: str) -> str:
    """The page minus its CSRF tokens, which differ on every response."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'data-csrf-token="[^"]+"', "", html)


@pytest.mark.parametrize("factory", [SuperAdminFactory, StaffFactory], ids=["customer", "staff"])
def test_the_emailed_link_sets_a_new_password(client, mailoutbox, factory):
    user = factory(email="ada@acme.example")
    response = _ask(client, "ada@acme.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ada@acme.example"]
    assert message.subject == "Reset your Premium Desk password"
    assert "The link works once, for 60 minutes." in message.body
    assert "ignore this email" in message.body

    response = _set_new_password(client, _link_path(message))
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    page = client.get(response["Location"]).content.decode()
    assert "Your new password is set" in page
    assert f'href="{reverse("login")}"' in page

    assert _can_log_in(client, user.email, NEW_PASSWORD)
    assert not _can_log_in(client, user.email, PASSWORD)


def test_unknown_inactive_and_known_addresses_get_the_same_answer(client, mailoutbox):
    SuperAdminFactory(email="known@acme.example")
    UserFactory(email="gone@acme.example", is_active=False)
    no_password = UserFactory(email="sso@acme.example")
    no_password.set_unusable_password()
    no_password.save()

    answers = []
    for email in (
        "known@acme.example",
        "nobody@acme.example",
        "gone@acme.example",
        "sso@acme.example",
    ):
        response = _ask(client, email, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
        answers.append(_without_csrf(response.content.decode()))

    assert DONE_TEXT in answers[0]
    assert all(answer == answers[0] for answer in answers)
    assert [m.to for m in mailoutbox] == [["known@acme.example"]]


def test_the_address_is_matched_whatever_its_case_and_mailed_as_stored(client, mailoutbox):
    SuperAdminFactory(email="ada@acme.example")
    _ask(client, "  Ada@ACME.example ")
    assert [m.to for m in mailoutbox] == [["ada@acme.example"]]


def test_the_link_comes_from_portal_base_url_not_the_host_header(client, mailoutbox, settings):
    settings.ALLOWED_HOSTS = ["*"]
    SuperAdminFactory(email="ada@acme.example")
    _ask(client, "ada@acme.example", HTTP_HOST="attacker.example")
    body = mailoutbox[0].body
    assert f"{PORTAL}/password/reset/" in body
    assert "attacker.example" not in body


def test_requests_for_one_address_are_limited_without_saying_so(client, mailoutbox):
    SuperAdminFactory(email="ada@acme.example")
    for n in range(3):
        _ask(client, "ada@acme.example", address=f"198.51.100.{n + 1}")
    assert len(mailoutbox) == 3

    # The fourth request in the hour, even from a fresh address: the same page, no email.
    response = _ask(client, "ada@acme.example", address="203.0.113.99", follow=True)
    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert DONE_TEXT in response.content.decode()
    assert len(mailoutbox) == 3

    SuperAdminFactory(email="grace@acme.example")
    _ask(client, "grace@acme.example", address="203.0.113.99")
    assert len(mailoutbox) == 4


def test_requests_from_one_client_address_are_limited(client, mailoutbox):
    SuperAdminFactory(email="ada@acme.example")
    for n in range(10):
        _ask(client, f"guess{n}@acme.example", address="203.0.113.7")
    response = _ask(client, "ada@acme.example", address="203.0.113.7", follow=True)
    assert DONE_TEXT in response.content.decode()
    assert mailoutbox == []

    _ask(client, "ada@acme.example", address="203.0.113.8")
    assert len(mailoutbox) == 1


def test_the_limit_is_one_hour(client, mailoutbox):
    SuperAdminFactory(email="ada@acme.example")
    for _ in range(4):
        _ask(client, "ada@acme.example")
    assert len(mailoutbox) == 3
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        _ask(client, "ada@acme.example")
    assert len(mailoutbox) == 4


def test_the_service_says_when_it_held_a_request_back(mailoutbox):
    SuperAdminFactory(email="ada@acme.example")
    taken = [
        password_reset_request(email="ada@acme.example", client="198.51.100.1", language="en")
        for _ in range(4)
    ]
    assert taken == [True, True, True, False]
    assert len(mailoutbox) == 3


def test_an_expired_link_is_refused_with_a_clear_message(client, mailoutbox):
    user = SuperAdminFactory(email="ada@acme.example")
    _ask(client, user.email)
    path = _link_path(mailoutbox[0])

    with time_machine.travel(timezone.now() + timedelta(minutes=59), tick=False):
        assert client.get(path).status_code == 302  # still good just before the end

    later = timezone.now() + timedelta(seconds=django_settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 200
        assert "This link no longer works" in page
        assert INVALID_LINK_TEXT in page
        assert 'name="new_password1"' not in page
        assert f'href="{reverse("password_reset")}"' in page
        # Nor can the form be posted straight to the set-password address.
        form_url = path.rsplit("/", 2)[0] + "/set-password/"
        client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_link_works_only_once(client, mailoutbox):
    SuperAdminFactory(email="ada@acme.example")
    _ask(client, "ada@acme.example")
    path = _link_path(mailoutbox[0])
    assert _set_new_password(client, path).status_code == 302

    page = Client().get(path).content.decode()
    assert "This link no longer works" in page


def test_a_forged_link_is_refused(client):
    user = SuperAdminFactory()
    path = reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "forged-token"})
    response = client.get(path)
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_reset_lifts_the_login_lockout(client, mailoutbox):
    user = SuperAdminFactory(email="ada@acme.example")
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": user.email, "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
        )
    locked = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert locked.status_code == 429
    assert AccessAttempt.objects.filter(username=user.email).exists()

    _ask(client, user.email, address="203.0.113.7")
    link = _link_path(mailoutbox[0])
    assert _set_new_password(client, link, address="203.0.113.7").status_code == 302

    assert not AccessAttempt.objects.filter(username=user.email).exists()
    assert _can_log_in(client, user.email, NEW_PASSWORD, address="203.0.113.7")


def test_a_reset_does_not_lift_the_lockout_of_another_address(client, mailoutbox):
    """The owner resets from their address; a guesser locked out elsewhere stays locked
    until the window ends (and now guesses against a password they never saw)."""
    user = SuperAdminFactory(email="ada@acme.example")
    guesser = client.__class__()
    for _ in range(5):
        guesser.post(
            reverse("login"),
            {"username": user.email, "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
        )
    _ask(client, user.email, address="198.51.100.1")
    link = _link_path(mailoutbox[0])
    assert _set_new_password(client, link, address="198.51.100.1").status_code == 302
    still = guesser.post(
        reverse("login"), {"username": user.email, "password": "wrong"}, REMOTE_ADDR="203.0.113.9"
    )
    assert still.status_code == 429


def test_a_refused_new_password_keeps_the_old_one_and_says_why(client, mailoutbox):
    user = SuperAdminFactory(email="ada@acme.example")
    _ask(client, user.email)
    response = client.get(_link_path(mailoutbox[0]))
    form_url = response["Location"]
    response = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This password is too common." in page
    assert "Please correct the error below." in page
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "other-1987"})
    assert "The two password fields didn’t match." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("ada\x00@acme.example", "Null characters are not allowed."),
        ("not-an-address", "Enter a valid email address."),
        ("", "This field is required."),
        ("a" * 300 + "@acme.example", "Ensure this value has at most 254 characters"),
    ],
    ids=["nul-byte", "not-an-email", "empty", "too-long"],
)
def test_bad_input_gets_a_clear_message_and_no_email(client, mailoutbox, email, message):
    SuperAdminFactory(email="ada@acme.example")
    response = _ask(client, email)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert mailoutbox == []


def test_the_email_and_pages_follow_the_visitors_language(client, mailoutbox):
    SuperAdminFactory(email="ada@acme.example", full_name="Ada Lovelace")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("password_reset")).content.decode()
    assert "Réinitialiser votre mot de passe" in page
    response = _ask(client, "ada@acme.example", follow=True)
    assert "Si un compte utilise l’adresse saisie" in response.content.decode()

    message = mailoutbox[0]
    assert message.subject == "Réinitialisez votre mot de passe Premium Desk"
    assert "Bonjour Ada," in message.body
    assert "Le lien ne sert qu’une fois et reste valable 60 minutes." in message.body
    assert "ignore this email" not in message.body

    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ja"
    _ask(client, "ada@acme.example")
    assert mailoutbox[1].subject == "Premium Desk のパスワードの再設定"
    assert "Ada 様" in mailoutbox[1].body


def test_the_invalid_link_page_is_translated(client):
    SuperAdminFactory()
    path = reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "forged-token"})
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ce lien ne fonctionne plus" in page
    assert "Un lien de réinitialisation ne sert qu’une fois et reste valable 60 minutes." in page


def test_the_login_page_and_the_admin_login_link_to_the_reset(client):
    assert f'href="{reverse("password_reset")}"' in client.get(reverse("login")).content.decode()
    page = client.get(reverse("admin:login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page


def test_password_change_checks_the_old_password_and_keeps_the_session(client):
    user = SuperAdminFactory(email="ada@acme.example")
    client.force_login(user)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("password_change")}"' in home
    assert "Change password" in home

    url = reverse("password_change")
    assert "Change your password" in client.get(url).content.decode()
    response = client.post(
        url, {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()

    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert "This password is entirely numeric." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    response = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert "Your password has been changed" in client.get(response["Location"]).content.decode()
    # Still logged in on this device.
    assert client.get(reverse("home")).status_code == 200
    assert _can_log_in(client, user.email, NEW_PASSWORD)


def test_password_change_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_password_change_logs_out_other_devices(client):
    user = SuperAdminFactory()
    other_device = Client()
    other_device.force_login(user)
    client.force_login(user)
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert other_device.get(reverse("home")).status_code == 302


def test_wrong_current_passwords_on_the_change_form_are_limited(client, settings):
    """A stolen session cannot guess the password through the change form."""
    settings.AXES_FAILURE_LIMIT = 5
    user = SuperAdminFactory(email="ada@acme.example")
    client.force_login(user)
    change = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for n in range(5):
        wrong = client.post(reverse("password_change"), {"old_password": f"guess-{n}", **change})
        assert "Your old password was entered incorrectly" in wrong.content.decode()
    right = client.post(reverse("password_change"), {"old_password": PASSWORD, **change})
    assert right.status_code == 200
    assert "Too many wrong current passwords" in right.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
