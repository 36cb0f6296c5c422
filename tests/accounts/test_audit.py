"""The audit log of accounts: users' rights, passwords set by someone else, subscriptions,
Premium Support purchases and login lockouts lifted; each entry with who, the client's
address (TRUSTED_PROXIES rule) and old → new."""

import json
from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import Hub, PremiumSupportPurchase, Role, Subscription, Tier, User
from accounts.permissions import LEADS_GROUP
from accounts.services import subscription_create
from helpdesk.audit_admin import entry_actor, entry_changes
from tests.admin_forms import admin_form_data
from tests.audit_helpers import CLIENT, FORGED, mark, since
from tests.factories import (
    PASSWORD,
    AccountFactory,
    LeadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_proxy(settings):
    settings.TRUSTED_PROXIES = 1


def _superuser(**kwargs) -> User:
    return UserFactory(account=None, role="", is_staff=True, is_superuser=True, **kwargs)


def _admin_change(client, name: str, obj, **changes) -> None:
    url = reverse(f"admin:{name}_change", args=[obj.pk])
    response = client.post(url, admin_form_data(client.get(url), **changes), **FORGED)
    assert response.status_code == 302, response.context["adminform"].form.errors


def _assert_from_client(entry: LogEntry, actor: User) -> None:
    assert entry.actor == actor
    assert entry.remote_addr == CLIENT


def test_a_lead_changing_a_role_is_recorded_with_who_where_and_old_to_new(client):
    lead = LeadFactory()
    user = UserFactory(role=Role.REGULAR)
    client.force_login(lead)
    before = mark()
    _admin_change(client, "accounts_user", user, role=Role.SUPER_ADMIN)
    [entry] = since(before)
    _assert_from_client(entry, lead)
    assert entry.object_repr == user.email and entry.action == LogEntry.Action.UPDATE
    assert entry.changes == {"role": ["regular", "super_admin"]}
    assert entry_changes(entry) == ["Role: Regular user → Super admin"]


def test_deactivating_a_user_is_recorded(client):
    lead = LeadFactory()
    user = UserFactory()
    client.force_login(lead)
    before = mark()
    _admin_change(client, "accounts_user", user, is_active=None)
    [entry] = since(before, user)
    _assert_from_client(entry, lead)
    assert entry_changes(entry) == ["Active: Yes → No"]


def test_the_staff_flag_and_a_group_given_by_a_superuser_are_recorded(client):
    superuser = _superuser()
    user = UserFactory(account=None, role="")
    leads = Group.objects.get(name=LEADS_GROUP)
    client.force_login(superuser)
    before = mark()
    _admin_change(client, "accounts_user", user, is_staff="on", groups=[str(leads.pk)])
    staff, group = since(before, user)
    for entry in (staff, group):
        _assert_from_client(entry, superuser)
    assert entry_changes(staff) == ["Staff status: No → Yes"]
    assert entry_changes(group) == ["Groups: added Leads"]


NEW_PASSWORD = "a-new-long-passphrase"


def _set_password_in_admin(client, user: User, *, disable: bool = False) -> None:
    if disable:  # the form's "Disable password-based authentication" button
        data = {"usable_password": "false", "unset-password": "1"}
    else:
        data = {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    assert client.post(url, data, **FORGED).status_code == 302


def test_a_password_set_by_a_superuser_is_recorded_without_the_hash(client):
    superuser = _superuser()
    user = UserFactory()
    client.force_login(superuser)
    before = mark()
    _set_password_in_admin(client, user)
    [entry] = since(before)
    _assert_from_client(entry, superuser)
    assert entry.object_repr == user.email
    assert entry.additional_data == {"event": "password_set"}
    assert entry_changes(entry) == ["Password set by another user"]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    digest = user.password.rpartition("$")[2]
    for logged in LogEntry.objects.get_for_object(user):
        stored = json.dumps([logged.changes, logged.additional_data, logged.serialized_data])
        assert digest not in stored and "password" not in (logged.changes or {})


def test_password_login_disabled_by_a_superuser_is_recorded(client):
    superuser = _superuser()
    user = UserFactory()
    client.force_login(superuser)
    before = mark()
    _set_password_in_admin(client, user, disable=True)
    user.refresh_from_db()
    assert not user.has_usable_password()
    [entry] = since(before)
    _assert_from_client(entry, superuser)
    assert entry_changes(entry) == ["Password login disabled by another user"]


def test_a_superuser_setting_their_own_password_is_not_someone_else(client):
    superuser = _superuser()
    client.force_login(superuser)
    before = mark()
    _set_password_in_admin(client, superuser)
    superuser.refresh_from_db()
    assert superuser.check_password(NEW_PASSWORD)
    assert since(before) == []


def test_a_password_set_outside_any_request_is_recorded_as_the_system(client):
    """A management command or the shell, after the user's own request has ended: the
    change is not taken for the user's own."""
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("home"), **FORGED)
    before = mark()
    user.set_password("set-from-the-shell")
    user.save()
    [entry] = since(before)
    assert entry.additional_data == {"event": "password_set"}
    assert entry.actor is None and entry.remote_addr is None
    assert entry_actor(entry) == "system"


def test_a_hash_upgraded_at_login_is_not_a_password_set(client, settings):
    user = UserFactory()  # hashed with the tests' fast MD5 hasher
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = mark()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
    assert since(before) == []


def _moment(name: str, moment) -> dict:
    local = timezone.localtime(moment)
    return {f"{name}_0": f"{local:%Y-%m-%d}", f"{name}_1": f"{local:%H:%M:%S}"}


def test_a_subscription_added_then_changed_by_a_lead_is_recorded(client):
    lead = LeadFactory()
    account = AccountFactory(name="Globex")
    start = timezone.now().replace(microsecond=0) - timedelta(days=1)
    client.force_login(lead)
    before = mark()
    response = client.post(
        reverse("admin:accounts_subscription_add"),
        {
            "account": account.pk,
            "hub": Hub.SALES,
            "tier": Tier.PROFESSIONAL,
            **_moment("starts_at", start),
            **_moment("ends_at", start + timedelta(days=365)),
        },
        **FORGED,
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(account=account)
    [created] = since(before)
    _assert_from_client(created, lead)
    assert created.action == LogEntry.Action.CREATE
    assert created.object_repr == "Globex: Sales Hub Professional"
    assert {"Account: Globex", "Hub: Sales Hub", "Tier: Professional"} <= set(
        entry_changes(created)
    )

    before = mark()
    _admin_change(client, "accounts_subscription", subscription, tier=Tier.ENTERPRISE)
    [changed] = since(before)
    _assert_from_client(changed, lead)
    assert changed.object_repr == "Globex: Sales Hub Enterprise"
    assert entry_changes(changed) == ["Tier: Professional → Enterprise"]


def test_a_premium_support_purchase_added_by_a_lead_is_recorded(client):
    lead = LeadFactory()
    account = AccountFactory(name="Initech")
    client.force_login(lead)
    before = mark()
    response = client.post(
        reverse("admin:accounts_premiumsupportpurchase_add"),
        {"account": account.pk, "reference": "PO-7781", **_moment("starts_at", timezone.now())},
        **FORGED,
    )
    assert response.status_code == 302
    purchase = PremiumSupportPurchase.objects.get(account=account)
    [created] = since(before)
    assert created.object_pk == str(purchase.pk)
    _assert_from_client(created, lead)
    assert created.action == LogEntry.Action.CREATE
    assert "Initech" in created.object_repr
    assert {"Account: Initech", "Order reference: PO-7781"} <= set(entry_changes(created))


def test_a_change_made_by_a_service_outside_a_request_has_no_actor():
    account = AccountFactory()
    before = mark()
    subscription_create(account=account, hub=Hub.DATA, tier=Tier.STARTER, starts_at=timezone.now())
    [entry] = since(before)
    assert entry.actor is None and entry_actor(entry) == "system"


def test_profile_fields_and_logins_are_not_audited(client):
    user = UserFactory()
    before = mark()
    user.full_name = "Someone Else"
    user.time_zone = "Europe/Paris"
    user.save()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert since(before) == []


# Login lockouts (django-axes): a lockout is an AccessAttempt row at the failure limit;
# lifting it deletes the row.


def _fail_logins(client, email: str, times: int) -> None:
    for _ in range(times):
        client.post(
            reverse("login"), {"username": email, "password": "wrong"}, REMOTE_ADDR="203.0.113.7"
        )


def _delete_in_admin(client, attempt: AccessAttempt) -> None:
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(url, {"post": "yes"}, **FORGED).status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()


@pytest.fixture
def _five_failures(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.mark.usefixtures("_five_failures")
def test_a_lockout_lifted_by_a_superuser_says_whose_and_by_whom(client):
    _fail_logins(client, "victim@example.com", 5)
    attempt = AccessAttempt.objects.get(username="victim@example.com")
    superuser = _superuser()
    client.force_login(superuser)
    before = mark()
    _delete_in_admin(client, attempt)
    [entry] = since(before)
    _assert_from_client(entry, superuser)
    assert entry.object_repr == "victim@example.com (203.0.113.7)"
    assert entry.additional_data == {
        "event": "lockout_lifted",
        "username": "victim@example.com",
        "ip_address": "203.0.113.7",
    }
    assert entry_changes(entry) == ["Login lockout lifted", "Failed Logins: 5"]


@pytest.mark.usefixtures("_five_failures")
def test_deleting_attempts_below_the_limit_lifts_no_lockout(client):
    _fail_logins(client, "typo@example.com", 2)
    client.force_login(_superuser())
    before = mark()
    _delete_in_admin(client, AccessAttempt.objects.get(username="typo@example.com"))
    assert since(before) == []


@pytest.mark.usefixtures("_five_failures")
def test_a_lockout_that_ran_out_is_not_a_lockout_lifted(client):
    _fail_logins(client, "victim@example.com", 5)
    before = mark()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        # The next failed login anywhere makes axes clean up the expired attempt.
        _fail_logins(client, "someone@example.com", 1)
    assert not AccessAttempt.objects.filter(username="victim@example.com").exists()
    assert since(before) == []


def test_a_superuser_widening_a_group_is_recorded_and_the_list_stays_short(client):
    from django.contrib.auth.models import Permission

    from helpdesk.audit_admin import AuditLogAdmin

    superuser = _superuser()
    specialists = Group.objects.get(name="Specialists")
    extra = list(
        Permission.objects.filter(codename__startswith="delete_")
        .exclude(group=specialists)
        .order_by("pk")[:7]
    )
    client.force_login(superuser)
    before = mark()
    url = reverse("admin:auth_group_change", args=[specialists.pk])
    held = [str(pk) for pk in specialists.permissions.values_list("pk", flat=True)]
    data = admin_form_data(client.get(url), permissions=held + [str(p.pk) for p in extra])
    assert client.post(url, data, **FORGED).status_code == 302
    [entry] = since(before)
    _assert_from_client(entry, superuser)
    [full] = entry_changes(entry)
    assert full.startswith("Permissions: added ") and all(str(p) in full for p in extra)
    listed = AuditLogAdmin.change_lines(None, entry)
    assert listed.count("Can delete") == 5 and listed.endswith(" and 2 more</div>")
