"""Accounts, subscriptions, purchases and users in the admin are changed and deleted by
the accounts services: a refusal is shown and nothing is kept; forged deletions by staff
without the right are refused; customer accounts are not deleted in the admin."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Account, Hub, Subscription, Tier, User
from tests.admin_forms import admin_form_data
from tests.factories import (
    AccountFactory,
    LeadFactory,
    StaffFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _superuser() -> User:
    return User.objects.create_superuser("root@support.example", "root-pass-2026")


def test_a_refused_subscription_row_keeps_nothing_of_the_account_post(client, monkeypatch):
    account = AccountFactory(name="Acme")
    SubscriptionFactory(account=account)

    def refuse(**kwargs):
        raise ValidationError({"tier": "Refused by the service."})

    monkeypatch.setattr(services, "subscription_save", refuse)
    client.force_login(LeadFactory())
    url = reverse("admin:accounts_account_change", args=[account.pk])
    data = admin_form_data(
        client.get(url), name="Acme Renamed", **{"subscriptions-0-tier": Tier.STARTER}
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Refused by the service." in response.content.decode()
    assert not any("changed successfully" in m for m in _messages(response))
    account.refresh_from_db()
    assert account.name == "Acme"
    assert account.subscriptions.get().tier != Tier.STARTER
    assert not LogEntry.objects.filter(object_id=str(account.pk)).exists()


def test_a_lead_adds_a_subscription_row_through_the_service(client):
    account = AccountFactory()
    client.force_login(LeadFactory())
    url = reverse("admin:accounts_account_change", args=[account.pk])
    page = client.get(url)
    data = admin_form_data(
        page,
        **{
            "subscriptions-TOTAL_FORMS": "1",
            "subscriptions-0-hub": Hub.SALES,
            "subscriptions-0-tier": Tier.ENTERPRISE,
            "subscriptions-0-starts_at_0": "2026-01-01",
            "subscriptions-0-starts_at_1": "00:00:00",
        },
    )
    assert client.post(url, data).status_code == 302
    assert account.subscriptions.get().hub == Hub.SALES


def test_nobody_deletes_a_customer_account_in_the_admin(client):
    account = AccountFactory()
    client.force_login(_superuser())
    url = reverse("admin:accounts_account_delete", args=[account.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:accounts_account_changelist"),
        {"action": "delete_selected", "_selected_action": [account.pk], "post": "yes"},
    )
    assert Account.objects.filter(pk=account.pk).exists()


def test_a_lead_deletes_subscriptions_a_specialists_forged_deletion_is_refused(client):
    subscription = SubscriptionFactory()
    specialist = StaffFactory()
    client.force_login(specialist)
    url = reverse("admin:accounts_subscription_delete", args=[subscription.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    with pytest.raises(PermissionDenied, match=str(services.ACCOUNTS_NOT_ALLOWED)):
        services.subscription_delete(subscription=subscription, actor=specialist)
    assert Subscription.objects.filter(pk=subscription.pk).exists()

    client.force_login(LeadFactory())
    response = client.post(
        reverse("admin:accounts_subscription_changelist"),
        {"action": "delete_selected", "_selected_action": [subscription.pk], "post": "yes"},
        follow=True,
    )
    assert "Successfully deleted 1 subscription." in _messages(response)
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


def test_a_refused_user_deletion_says_why_and_keeps_the_user(client, monkeypatch):
    customer = UserFactory()

    def refuse(**kwargs):
        raise PermissionDenied("Refused by the service.")

    monkeypatch.setattr(services, "user_delete", refuse)
    client.force_login(_superuser())
    url = reverse("admin:accounts_user_delete", args=[customer.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert "Refused by the service." in _messages(response)
    assert User.objects.filter(pk=customer.pk).exists()
    assert not LogEntry.objects.filter(object_id=str(customer.pk)).exists()


def test_a_lead_adds_a_customer_user_through_the_service(client):
    account = AccountFactory()
    client.force_login(LeadFactory())
    add = reverse("admin:accounts_user_add")
    data = admin_form_data(
        client.get(add),
        email="New.User@Acme.example",
        full_name="New User",
        account=account.pk,
        role="regular",
        password1="A-long-pass-2026!",
        password2="A-long-pass-2026!",
    )
    assert client.post(add, data).status_code == 302
    user = User.objects.get(email="new.user@acme.example")
    assert user.account == account and user.check_password("A-long-pass-2026!")


def test_the_user_services_keep_staff_rights_for_superusers():
    lead, customer = LeadFactory(), UserFactory()
    fields = {
        "email": customer.email,
        "full_name": customer.full_name,
        "phone": "",
        "time_zone": "UTC",
        "account": None,
        "role": "",
        "is_active": True,
        "is_superuser": False,
        "groups": [],
    }
    with pytest.raises(PermissionDenied, match=str(services.STAFF_RIGHTS_SUPERUSER_ONLY)):
        services.user_save(user=customer, actor=lead, is_staff=True, **fields)
    staff = StaffFactory()
    with pytest.raises(PermissionDenied, match=str(services.STAFF_RIGHTS_SUPERUSER_ONLY)):
        services.user_password_set(user=staff, actor=lead, password="Taken-over-2026!")
    customer.refresh_from_db()
    staff.refresh_from_db()
    assert not customer.is_staff and not staff.check_password("Taken-over-2026!")


def test_a_superuser_lifts_a_lockout_by_deleting_it_through_the_service(client):
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="victim@example.com",
        ip_address="203.0.113.7",
        failures_since_start=5,
        attempt_time=timezone.now() - timedelta(minutes=1),
    )
    client.force_login(_superuser())
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
        follow=True,
    )
    assert "Successfully deleted 1 access attempt." in _messages(response)
    assert not AccessAttempt.objects.exists()
