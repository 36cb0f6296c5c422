"""Leads read the audit log in the admin, filter it and export it as CSV; specialists
do not see it; nobody, superusers included, edits or deletes an entry."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.models import Role, User
from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP
from tests.admin_forms import admin_form_data
from tests.audit_helpers import CLIENT, FORGED
from tests.factories import (
    AccountFactory,
    LeadFactory,
    StaffFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:auditlog_logentry_changelist"
EXPORT = "admin:auditlog_logentry_export"


@pytest.fixture(autouse=True)
def _one_proxy(settings):
    settings.TRUSTED_PROXIES = 1


@pytest.fixture
def lead(client) -> User:
    lead = LeadFactory(email="lee.lead@support.example")
    client.force_login(lead)
    return lead


def _promote(client, user: User) -> None:
    """The lead makes a regular user a super admin in the admin."""
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = admin_form_data(client.get(url), role=Role.SUPER_ADMIN)
    assert client.post(url, data, **FORGED).status_code == 302


def _role_entry(user: User) -> LogEntry:
    return LogEntry.objects.get_for_object(user).get(changes__has_key="role", action=1)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_leads_group_may_read_the_log_and_the_specialists_may_not():
    assert Group.objects.filter(name=LEADS_GROUP, permissions__codename="view_logentry").exists()
    assert not Group.objects.filter(
        name=SPECIALISTS_GROUP, permissions__content_type__app_label="auditlog"
    ).exists()


def test_a_lead_reads_who_changed_what_from_where(client, lead):
    user = UserFactory(email="pat@globex.example", role=Role.REGULAR)
    _promote(client, user)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    page = response.content.decode()
    row = next(r for r in response.context["cl"].result_list if r.pk == _role_entry(user).pk)
    assert row.actor == lead
    for text in (
        "lee.lead@support.example",
        CLIENT,
        "User: pat@globex.example",
        "Role: Regular user → Super admin",
        "Export this list as CSV",
    ):
        assert text in page
    # Entries nobody made in a request (here, the factories') read as the system's.
    assert "system" in page


def test_a_lead_filters_by_actor_object_type_object_date_and_search(client, lead):
    user = UserFactory(email="pat@globex.example", role=Role.REGULAR)
    other = UserFactory(email="sam@initech.example", account=AccountFactory(name="Initech"))
    _promote(client, user)
    entry = _role_entry(user)

    def listed(**params) -> set[int]:
        response = client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return {e.pk for e in response.context["cl"].result_list}

    assert listed(actor=lead.pk) == {entry.pk}
    assert entry.pk not in listed(actor="system")
    assert listed(actor="system")  # the factories' entries
    user_type = ContentType.objects.get_for_model(User)
    assert entry.pk in listed(content_type=user_type.pk)
    account_type = ContentType.objects.get_for_model(other.account)
    assert entry.pk not in listed(content_type=account_type.pk)
    by_object = listed(content_type=user_type.pk, object_pk=user.pk)
    assert entry.pk in by_object
    assert not by_object & {e.pk for e in LogEntry.objects.get_for_object(other)}
    day = entry.timestamp
    assert entry.pk in listed(
        timestamp__year=day.year, timestamp__month=day.month, timestamp__day=day.day
    )
    assert listed(timestamp__year=day.year - 1) == set()
    assert entry.pk in listed(q="pat@globex")
    assert entry.pk not in listed(q="initech")


def test_a_lead_exports_the_selected_entries_as_csv(client, lead):
    user = UserFactory(email="pat@globex.example", role=Role.REGULAR)
    _promote(client, user)
    entry = _role_entry(user)
    response = client.post(
        reverse(CHANGELIST), {"action": "export_csv", "_selected_action": [entry.pk]}
    )
    header, row = _csv(response)
    assert header == [
        "When",
        "Who",
        "Address",
        "Object type",
        "Object ID",
        "Object",
        "Action",
        "Changes",
    ]
    record = dict(zip(header, row, strict=True))
    assert record["Who"] == "lee.lead@support.example"
    assert record["Address"] == CLIENT
    assert record["Object type"] == "User"
    assert record["Object ID"] == str(user.pk)
    assert record["Object"] == "pat@globex.example"
    assert record["Action"] == "changed"
    assert record["Changes"] == "Role: Regular user → Super admin"
    assert record["When"].startswith(f"{entry.timestamp:%Y-%m-%d}T")


def test_the_export_button_exports_the_filtered_list_with_translated_headers(client, lead):
    user = UserFactory(email="pat@globex.example", role=Role.REGULAR)
    _promote(client, user)
    page = client.get(reverse(CHANGELIST), {"actor": lead.pk}).content.decode()
    assert f'href="{reverse(EXPORT)}?actor={lead.pk}"' in page
    response = client.get(reverse(EXPORT), {"actor": lead.pk}, HTTP_ACCEPT_LANGUAGE="fr")
    header, *rows = _csv(response)
    assert header[:3] == ["Quand", "Qui", "Adresse"]
    assert len(rows) == 1 and rows[0][1] == "lee.lead@support.example"
    assert rows[0][6] == "modification"
    japanese = _csv(client.get(reverse(EXPORT), {"actor": lead.pk}, HTTP_ACCEPT_LANGUAGE="ja"))
    assert japanese[0][:3] == ["日時", "実行者", "アドレス"]


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused(client, lead):
    SubscriptionFactory(account=AccountFactory(name='=HYPERLINK("http://evil.example")'))
    rows = _csv(client.get(reverse(EXPORT), {"q": "HYPERLINK"}))[1:]
    assert rows and all(row[5].startswith("'=HYPERLINK") for row in rows)


@pytest.mark.parametrize("name", ["changelist", "export", "detail"])
def test_a_specialist_gets_403_on_the_log(client, name):
    entry = LogEntry.objects.get_for_object(UserFactory()).first()
    client.force_login(StaffFactory())
    url = {
        "changelist": reverse(CHANGELIST),
        "export": reverse(EXPORT),
        "detail": reverse("admin:auditlog_logentry_change", args=[entry.pk]),
    }[name]
    assert client.get(url).status_code == 403


def test_a_lead_reads_one_entry_and_cannot_change_it(client, lead):
    user = UserFactory(email="pat@globex.example", role=Role.REGULAR)
    _promote(client, user)
    entry = _role_entry(user)
    url = reverse("admin:auditlog_logentry_change", args=[entry.pk])
    page = client.get(url).content.decode()
    assert "Role: Regular user → Super admin" in page and CLIENT in page
    assert client.post(url, {"object_repr": "forged"}).status_code == 403
    entry.refresh_from_db()
    assert entry.object_repr == "pat@globex.example"


def test_nobody_deletes_an_entry_not_even_a_superuser(client):
    superuser = UserFactory(account=None, role="", is_staff=True, is_superuser=True)
    entry = LogEntry.objects.get_for_object(UserFactory()).first()
    client.force_login(superuser)
    delete = reverse("admin:auditlog_logentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [entry.pk]})
    client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert client.get(reverse("admin:auditlog_logentry_add")).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()
