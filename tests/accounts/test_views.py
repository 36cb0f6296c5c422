import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP
from tests.factories import PASSWORD, LeadFactory, StaffFactory, SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_wrong_password_shows_a_clear_error_and_does_not_log_in(client):
    user = SuperAdminFactory(email="ada@acme.example")
    response = client.post(reverse("login"), {"username": user.email, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_customer_logs_in_and_sees_subscriptions_and_premium_status(client):
    user = SuperAdminFactory(email="ada@acme.example")
    response = client.post(
        reverse("login"), {"username": "ADA@acme.example", "password": PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert user.account.name in page
    assert "Service Hub" in page and "Enterprise" in page
    assert "Premium Support" in page and "Active" in page
    assert 'aria-label="Help"' in page


def test_customer_without_premium_sees_how_to_get_it(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert "Not active" in page
    assert "Premium Support is an add-on for accounts with an Enterprise subscription" in page


def test_customer_never_reaches_the_admin(client):
    client.force_login(SuperAdminFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("admin:accounts_account_changelist")).status_code == 302


@pytest.mark.parametrize("factory", [StaffFactory, LeadFactory], ids=["specialist", "lead"])
def test_staff_reach_the_admin_and_see_accounts(client, factory):
    client.force_login(factory())
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:accounts_account_changelist")).status_code == 200


def test_specialist_cannot_change_accounts_but_a_lead_can(client):
    account = SuperAdminFactory().account
    url = reverse("admin:accounts_account_change", args=[account.pk])
    client.force_login(StaffFactory())
    client.post(url, {"name": "Renamed by specialist"})
    account.refresh_from_db()
    assert account.name != "Renamed by specialist"
    assert client.get(reverse("admin:accounts_account_add")).status_code == 403

    client.force_login(LeadFactory())
    assert client.get(reverse("admin:accounts_account_add")).status_code == 200


def test_staff_groups_hold_exactly_their_permissions():
    specialists = set(
        Group.objects.get(name=SPECIALISTS_GROUP).permissions.values_list("codename", flat=True)
    )
    leads = set(Group.objects.get(name=LEADS_GROUP).permissions.values_list("codename", flat=True))
    assert {"view_account", "view_user"} <= specialists
    assert "change_account" not in specialists and "delete_account" not in specialists
    assert {"change_account", "add_premiumsupportpurchase"} <= leads
    assert specialists < leads
    assert not Permission.objects.filter(group__name=LEADS_GROUP, codename="delete_user").exists()


def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(SuperAdminFactory())
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
