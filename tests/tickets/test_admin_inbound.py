"""The inbound log in the admin: leads read it; specialists and customers cannot reach
it, and nobody adds, edits or deletes an entry, whatever the request says."""

import pytest
from django.urls import reverse

from helpdesk.tickets.inbound import inbound_email_receive
from helpdesk.tickets.models import InboundEmail
from tests.email.messages import email_bytes
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    return inbound_email_receive(
        raw=email_bytes(sender="stranger@elsewhere.example", subject="Buy now"), transport="imap"
    )


def test_a_lead_sees_each_message_with_its_reason(client, entry):
    client.force_login(LeadFactory())
    page = client.get(reverse("admin:tickets_inboundemail_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "stranger@elsewhere.example" in text and "Unknown sender" in text
    detail = client.get(reverse("admin:tickets_inboundemail_change", args=[entry.pk]))
    assert detail.status_code == 200 and "Buy now" in detail.content.decode()


@pytest.mark.parametrize("who", [StaffFactory, SuperAdminFactory])
def test_specialists_and_customers_cannot_read_it(client, entry, who):
    client.force_login(who())
    response = client.get(reverse("admin:tickets_inboundemail_changelist"))
    assert response.status_code in (302, 403)


def test_nobody_edits_adds_or_deletes_an_entry(client, entry):
    client.force_login(LeadFactory())
    change = reverse("admin:tickets_inboundemail_change", args=[entry.pk])
    assert client.post(change, {"reason": "", "outcome": "reply"}).status_code == 403
    assert client.post(reverse("admin:tickets_inboundemail_add"), {}).status_code == 403
    delete = reverse("admin:tickets_inboundemail_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert (entry.outcome, entry.reason) == ("refused", "unknown_sender")
    assert InboundEmail.objects.count() == 1
