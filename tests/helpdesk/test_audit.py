"""The request side of the audit log (which address, which actor) and the tickets'
business-critical reclassifications."""

import pytest
from django.urls import reverse

from accounts.models import Role
from helpdesk.audit_admin import entry_changes
from helpdesk.tickets.models import Ticket
from tests.admin_forms import admin_form_data
from tests.audit_helpers import FORGED, mark, since
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db


def _deactivate(client, user, **headers) -> None:
    client.force_login(LeadFactory())
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = admin_form_data(client.get(url), is_active=None)
    assert client.post(url, data, **headers).status_code == 302


@pytest.mark.parametrize(
    ("trusted_proxies", "recorded"),
    [
        # Behind one proxy the client is the entry it appended, not the forged first one.
        (1, "2.2.2.2"),
        # Direct connections: the header is the client's own words; REMOTE_ADDR counts.
        (0, "127.0.0.1"),
    ],
)
def test_the_address_follows_the_trusted_proxies_rule(client, settings, trusted_proxies, recorded):
    settings.TRUSTED_PROXIES = trusted_proxies
    user = UserFactory(role=Role.REGULAR)
    before = mark()
    _deactivate(client, user, **FORGED)
    [entry] = since(before, user)
    assert entry.remote_addr == recorded


def test_a_junk_forwarded_address_is_left_out_but_the_change_is_recorded(client, settings):
    settings.TRUSTED_PROXIES = 1
    user = UserFactory()
    before = mark()
    _deactivate(client, user, HTTP_X_FORWARDED_FOR="not-an-address")
    [entry] = since(before, user)
    assert entry.remote_addr is None and entry_changes(entry) == ["Active: Yes → No"]


def test_a_reclassification_is_recorded_with_its_reason(client, settings):
    settings.TRUSTED_PROXIES = 1
    ticket = ticket_for(SuperAdminFactory())
    old_due = ticket.due_at
    specialist = StaffFactory()
    client.force_login(specialist)
    before = mark()
    response = client.post(
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        {
            "status": ticket.status,
            "assignee": "",
            "reply_body": "",
            "reply_visibility": "public",
            "reclassify": "critical",
            "reclassify_reason": "Revenue at risk: checkout down",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
        **FORGED,
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.business_critical
    [entry] = since(before, ticket)
    assert entry.actor == specialist and entry.remote_addr == "2.2.2.2"
    assert entry.changes["business_critical"] == ["False", "True"]
    assert entry.changes["due_at"] == [old_due.isoformat(), ticket.due_at.isoformat()]
    assert entry.additional_data == {"reason": "Revenue at risk: checkout down"}
    lines = entry_changes(entry)
    assert "Business-critical: No → Yes" in lines
    assert lines[-1] == "Reason: Revenue at risk: checkout down"


def test_a_reclassification_outside_a_request_still_names_the_specialist():
    from helpdesk.tickets.services import ticket_reclassify

    ticket = ticket_for(SuperAdminFactory(), business_critical=True)
    specialist = StaffFactory()
    before = mark()
    ticket_reclassify(
        ticket=ticket, business_critical=False, reason="One user affected", actor=specialist
    )
    [entry] = since(before, Ticket.objects.get(pk=ticket.pk))
    assert entry.actor == specialist and entry.remote_addr is None
    assert "Business-critical: Yes → No" in entry_changes(entry)
