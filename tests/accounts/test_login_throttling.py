"""Login throttling (django-axes): a lockout after LOGIN_FAILURE_LIMIT wrong passwords
for one account from one address, on the portal's login and the admin's, lifted by the
window's end or by a superuser."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, LeadFactory, StaffFactory, SuperAdminFactory

pytestmark = pytest.mark.django_db

LOGINS = {
    "portal": ("login", {}),
    "admin": ("admin:login", {"next": "/admin/"}),
}


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _post(client, which, email, password, address="203.0.113.7"):
    name, extra = LOGINS[which]
    return client.post(
        reverse(name), {"username": email, "password": password, **extra}, REMOTE_ADDR=address
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("which", ["portal", "admin"])
def test_the_right_password_is_refused_after_the_limit_of_wrong_ones(client, which):
    user = StaffFactory(email="agent@support.example") if which == "admin" else SuperAdminFactory()
    for _ in range(4):
        response = _post(client, which, user.email, "wrong")
        assert response.status_code == 200
    # The fifth failure locks the pair out, and says so.
    assert _post(client, which, user.email, "wrong").status_code == 429
    response = _post(client, which, user.email.upper(), PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins for this account from your address" in response.content.decode()
    assert not _logged_in(client)


def test_the_lockout_message_is_translated(client):
    user = SuperAdminFactory()
    for _ in range(5):
        _post(client, "portal", user.email, "wrong")
    response = client.post(
        reverse("login"),
        {"username": user.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "Trop de connexions échouées pour ce compte depuis votre adresse" in page
    assert "15 minutes" in page


def test_below_the_limit_the_right_password_works(client):
    user = SuperAdminFactory()
    for _ in range(4):
        _post(client, "portal", user.email, "wrong")
    response = _post(client, "portal", user.email, PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_another_address_is_not_locked_out(client):
    user = SuperAdminFactory()
    for _ in range(5):
        _post(client, "portal", user.email, "wrong")
    response = _post(client, "portal", user.email, PASSWORD, address="198.51.100.9")
    assert response.status_code == 302


def test_the_lockout_ends_with_the_window(client):
    user = SuperAdminFactory()
    for _ in range(5):
        _post(client, "portal", user.email, "wrong")
    assert _post(client, "portal", user.email, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = _post(client, "portal", user.email, PASSWORD)
        assert response.status_code == 302
        assert _logged_in(client)


def test_the_client_address_follows_trusted_proxies(client, settings):
    """Behind one proxy, the client is the right-most X-Forwarded-For entry; an entry
    the client forged further left does not dodge the lockout."""
    settings.TRUSTED_PROXIES = 1
    user = SuperAdminFactory()
    for n in range(5):
        client.post(
            reverse("login"),
            {"username": user.email, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7",
        )
    response = client.post(
        reverse("login"),
        {"username": user.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7",
    )
    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_leads_read_failures_and_lockouts_in_the_admin(client):
    user = SuperAdminFactory(email="ada@acme.example")
    for _ in range(5):
        _post(client, "portal", user.email, "wrong")
    assert AccessFailureLog.objects.filter(username="ada@acme.example").count() == 5
    client.force_login(LeadFactory())
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "ada@acme.example" in page and "203.0.113.7" in page
    assert client.get(reverse("admin:axes_accessfailurelog_changelist")).status_code == 200


def test_a_lead_cannot_lift_a_lockout_even_with_a_forged_request(client):
    user = SuperAdminFactory()
    for _ in range(5):
        _post(client, "portal", user.email, "wrong")
    attempt = AccessAttempt.objects.get()
    client.force_login(LeadFactory())
    client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "lift_lockout", "_selected_action": [attempt.pk]},
    )
    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_a_superuser_lifts_a_lockout(client):
    from accounts.models import User

    user = SuperAdminFactory()
    for _ in range(5):
        _post(client, "portal", user.email, "wrong")
    attempt = AccessAttempt.objects.get()
    admin_client = client.__class__()
    admin_client.force_login(User.objects.create_superuser("root@support.example", "x-pass-2026"))
    response = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "lift_lockout", "_selected_action": [attempt.pk]},
        follow=True,
    )
    assert "1 login may try again." in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert _post(client, "portal", user.email, PASSWORD).status_code == 302


@pytest.mark.parametrize("which", ["portal", "admin"])
def test_a_very_long_username_is_an_ordinary_failure(client, which):
    """The failure log's username column is 255 characters; a longer one is not a 500."""
    response = _post(client, which, "a" * 300 + "@acme.example", "wrong")
    assert response.status_code == 200
    assert AccessFailureLog.objects.get().username == ("a" * 300)[:255]
