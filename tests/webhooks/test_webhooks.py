"""Signed outgoing webhooks against a real receiver on a loopback port: signature,
retry after a 500, disabling after a day of failures, Resend, the admin's rules."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from helpdesk.core.outbox.models import OutboxMessage, OutboxStatus
from helpdesk.core.outbox.services import outbox_relay
from helpdesk.core.webhooks import services
from helpdesk.core.webhooks.events import WebhookEvent
from helpdesk.core.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from helpdesk.tickets.choices import TicketChannel
from helpdesk.tickets.services import ticket_create
from sla.sweep import run_sweep
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """A webhook receiver that checks signatures; `fail` answers 500 that many times."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.fail = 0
        self.secret = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signature = dict(
                    part.split("=", 1) for part in self.headers["Premium-Desk-Signature"].split(",")
                )
                expected = hmac.new(
                    receiver.secret.encode(), f"{signature['t']}.".encode() + body, hashlib.sha256
                ).hexdigest()
                receiver.received.append(
                    {
                        "event": self.headers["Premium-Desk-Event"],
                        "delivery": self.headers["Premium-Desk-Delivery"],
                        "valid": hmac.compare_digest(expected, signature["v1"]),
                        "body": json.loads(body),
                    }
                )
                status = 500 if receiver.fail > 0 else 204
                receiver.fail -= 1
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.OUTBOX_KICK_GRACE_SECONDS = 0
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def endpoint(receiver):
    lead = LeadFactory(email="lead@support.example")
    endpoint, secret = services.webhook_endpoint_create(
        name="Status page",
        url=receiver.url,
        events=[WebhookEvent.TICKET_CREATED, WebhookEvent.SLA_BREACHED],
        actor=lead,
    )
    receiver.secret = secret
    return endpoint


def _ticket(subject="VPN down"):
    return ticket_create(
        requester=SuperAdminFactory(),
        channel=TicketChannel.EMAIL,
        subject=subject,
        description="All users",
        business_critical=False,
    )


def test_a_new_ticket_reaches_the_receiver_signed(receiver, endpoint):
    ticket = _ticket()
    [got] = receiver.received
    assert got["valid"] is True
    assert got["event"] == "ticket.created"
    assert got["body"]["event"] == "ticket.created"
    assert got["body"]["data"]["ticket"]["id"] == ticket.pk
    assert got["body"]["data"]["ticket"]["subject"] == "VPN down"
    assert "description" not in got["body"]["data"]["ticket"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.last_status_code == 204 and delivery.attempts == 1
    assert delivery.last_response_ms is not None


def test_an_event_the_endpoint_did_not_choose_is_not_sent(receiver, endpoint):
    ticket = _ticket()
    receiver.received.clear()
    from helpdesk.tickets.models import ReplyVisibility
    from helpdesk.tickets.services import ticket_reply

    ticket_reply(
        ticket=ticket, author=StaffFactory(), body="On it", visibility=ReplyVisibility.PUBLIC
    )
    assert receiver.received == []


def test_a_500_is_retried_with_backoff_and_delivered_once(receiver, endpoint):
    receiver.fail = 1
    _ticket()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILING and delivery.last_status_code == 500
    row = OutboxMessage.objects.get(kind=services.WEBHOOK_DELIVERY)
    assert row.status == OutboxStatus.FAILED
    assert outbox_relay() == 0  # not due yet
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert outbox_relay() == 1
        outbox_relay()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    assert [r["valid"] for r in receiver.received] == [True, True]
    assert receiver.received[0]["delivery"] == receiver.received[1]["delivery"]  # same event
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_lead_told(receiver, endpoint):
    receiver.fail = 10_000
    start = timezone.now()
    _ticket()
    for hours in (2, 8, 20, 25):
        with time_machine.travel(start + timedelta(hours=hours)):
            outbox_relay()
    endpoint.refresh_from_db()
    assert endpoint.is_active is False and endpoint.disabled_at is not None
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.GIVEN_UP
    [notice] = [m for m in mail.outbox if m.subject == "Webhook disabled: Status page"]
    assert notice.to == ["lead@support.example"]
    tried = len(receiver.received)
    _ticket("Another")  # a disabled endpoint receives nothing more
    with time_machine.travel(start + timedelta(hours=26)):
        outbox_relay()
    assert len(receiver.received) == tried


def test_the_sweep_sends_one_breach_per_ticket_and_level(receiver, endpoint, settings):
    settings.SLA_STANDARD_MINUTES = 60
    ticket = _ticket()
    receiver.received.clear()
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        run_sweep()
        run_sweep()
    breaches = [r for r in receiver.received if r["event"] == "sla.breached"]
    assert len(breaches) == 1
    assert breaches[0]["body"]["data"] | {"at": None} == {
        "kind": "ticket",
        "id": ticket.pk,
        "step": "breached",
        "level": 1,
        "at": None,
    }


def test_a_private_address_is_refused_when_saved_and_when_sent(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    lead = LeadFactory()
    for url in ("http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://[::1]/x", "ftp://a.example/"):
        with pytest.raises(services.ValidationError):
            services.webhook_endpoint_create(
                name="x", url=url, events=[WebhookEvent.TICKET_CREATED], actor=lead
            )
    assert not WebhookEndpoint.objects.exists()
    # Saved while allowed (or before a DNS change), refused at sending time.
    endpoint = WebhookEndpoint.objects.create(
        name="inside", url="http://127.0.0.1:9/x", events=["ticket.created"], secret="s"
    )
    _ticket()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.state == DeliveryState.FAILING
    assert "private, loopback or reserved" in delivery.last_error


def test_a_lead_adds_an_endpoint_in_the_admin_and_sees_the_secret_once(client, receiver):
    client.force_login(LeadFactory())
    add = reverse("admin:webhooks_webhookendpoint_add")
    response = client.post(
        add,
        {"name": "CRM", "url": receiver.url, "events": ["ticket.created"], "is_active": "on"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    page = response.content.decode()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in page
    change = client.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret not in change.content.decode()

    refused = client.post(add, {"name": "CRM", "url": receiver.url, "is_active": "on"})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert WebhookEndpoint.objects.count() == 1


def test_a_lead_resends_and_a_specialist_can_do_neither(client, receiver, endpoint):
    _ticket()
    delivery = WebhookDelivery.objects.get()
    specialist = StaffFactory()
    client.force_login(specialist)
    assert client.get(reverse("admin:webhooks_webhookendpoint_add")).status_code == 403
    forged = client.post(
        reverse("admin:webhooks_webhookdelivery_changelist"),
        {"action": "resend", "_selected_action": [delivery.pk]},
    )
    assert forged.status_code == 403
    assert len(receiver.received) == 1

    client.force_login(LeadFactory())
    response = client.post(
        reverse("admin:webhooks_webhookdelivery_changelist"),
        {"action": "resend", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert "1 delivery queued again." in response.content.decode()
    assert len(receiver.received) == 2 and all(r["valid"] for r in receiver.received)
    assert receiver.received[0]["delivery"] != receiver.received[1]["delivery"]
