"""Only superusers manage staff records: forged admin requests by leads and specialists
against a superuser's and a staff user's record change nothing."""

import pytest
from django.urls import reverse

from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Taken-over-2026!"


@pytest.fixture
def superuser():
    from accounts.models import User

    return User.objects.create_superuser("root@support.example", "root-pass-2026")


def _targets(superuser):
    return {"superuser": superuser, "staff": StaffFactory(email="agent2@support.example")}


@pytest.mark.parametrize("actor_factory", [LeadFactory, StaffFactory], ids=["lead", "specialist"])
@pytest.mark.parametrize("target_kind", ["superuser", "staff"])
def test_forged_password_change_of_a_staff_record_is_refused(
    client, superuser, actor_factory, target_kind
):
    target = _targets(superuser)[target_kind]
    client.force_login(actor_factory())
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code in (403, 404)
    target.refresh_from_db()
    assert not target.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("actor_factory", [LeadFactory, StaffFactory], ids=["lead", "specialist"])
@pytest.mark.parametrize("target_kind", ["superuser", "staff"])
def test_forged_change_of_a_staff_record_is_refused(client, superuser, actor_factory, target_kind):
    target = _targets(superuser)[target_kind]
    client.force_login(actor_factory())
    url = reverse("admin:accounts_user_change", args=[target.pk])
    assert client.get(url).status_code in (302, 403, 404)
    response = client.post(
        url,
        {
            "email": "attacker@evil.example",
            "full_name": "Owned",
            "time_zone": "UTC",
            "is_active": "",
        },
    )
    assert response.status_code in (302, 403, 404)
    target.refresh_from_db()
    assert target.email != "attacker@evil.example"
    assert target.is_active


@pytest.mark.parametrize("actor_factory", [LeadFactory, StaffFactory], ids=["lead", "specialist"])
@pytest.mark.parametrize("target_kind", ["superuser", "staff"])
def test_forged_delete_of_a_staff_record_is_refused(client, superuser, actor_factory, target_kind):
    from accounts.models import User

    target = _targets(superuser)[target_kind]
    client.force_login(actor_factory())
    url = reverse("admin:accounts_user_delete", args=[target.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code in (302, 403, 404)
    # The bulk action too: the staff id is simply not among the lead's users.
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
    )
    assert User.objects.filter(pk=target.pk).exists()


def test_a_lead_does_not_see_staff_records_in_the_user_list(client, superuser):
    customer = UserFactory(email="customer@acme.example")
    StaffFactory(email="agent2@support.example")
    client.force_login(LeadFactory(email="lead2@support.example"))
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert customer.email in page
    assert "agent2@support.example" not in page
    assert "root@support.example" not in page


def test_a_lead_still_manages_customer_users(client):
    customer = SuperAdminFactory(email="ada@acme.example")
    client.force_login(LeadFactory())
    url = reverse("admin:auth_user_password_change", args=[customer.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)


def test_a_superuser_manages_staff_records(client, superuser):
    staff = StaffFactory(email="agent2@support.example")
    client.force_login(superuser)
    url = reverse("admin:auth_user_password_change", args=[staff.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
