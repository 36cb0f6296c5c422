"""The broker goes away (a private redis-server of the test's own, stopped and started
again): requests still succeed, and once it is back every email goes out exactly once.
Tickets, a specialist's reply, a callback request, a chat ended and a sweep breaching
two tickets, all during the outage."""

import time
from datetime import timedelta

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from chat import services as chat_services
from helpdesk.callbacks.models import CallbackRequest
from helpdesk.celery import app as celery_app
from helpdesk.core.outbox import services as outbox_services
from helpdesk.core.outbox import tasks as outbox_tasks
from helpdesk.core.outbox.models import OutboxMessage, OutboxStatus
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.models import ReplyVisibility, Ticket
from tests.chat.servers import RedisServer
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory

pytestmark = pytest.mark.django_db(transaction=True)
JSON = {"HTTP_ACCEPT": "application/json"}


def _reset_producer_pools() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(settings):
    """Celery (not eager) and the channel layer on a redis-server of this test's own."""
    server = RedisServer().start()
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = server.url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_connection_timeout = 1
    _reset_producer_pools()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "helpdesk.core.channel_layer.TolerantPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": server.url, "socket_connect_timeout": 1}]},
        }
    }
    settings.OUTBOX_KICK_GRACE_SECONDS = 0
    settings.SLA_STANDARD_MINUTES = 60
    settings.SLA_BUSINESS_CRITICAL_MINUTES = 30
    yield server
    server.stop()
    outbox_services._broker_away_until = 0.0
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = before
    _reset_producer_pools()


def _mails(prefix: str) -> list:
    return [m for m in mail.outbox if m.subject.startswith(prefix)]


def test_nothing_is_lost_or_sent_twice_when_the_broker_is_away(client, broker):
    specialist = StaffFactory(email="agent@support.example")
    LeadFactory(email="lead@support.example")
    customer = SuperAdminFactory(email="ada@acme.example")
    client.force_login(customer)

    broker.stop()
    started = time.monotonic()
    answers = []
    for subject, critical in (("Login down", "on"), ("Export slow", ""), ("Invoice", "")):
        data = {"subject": subject, "description": "Details", "business_critical": critical}
        answers.append(client.post(reverse("ticket_new"), data, **JSON).status_code)
    login, export, invoice = Ticket.objects.order_by("pk")
    ticket_services.ticket_reply(
        ticket=invoice, author=specialist, body="Sent again.", visibility=ReplyVisibility.PUBLIC
    )
    callback = client.post(
        reverse("callback_new"), {"phone": "+1 415 555 0101", "topic": "Billing"}, **JSON
    )
    answers.append(callback.status_code)
    conversation, _ = chat_services.conversation_start(customer=customer, topic="VPN", body="Hi")
    chat_services.conversation_accept(conversation_id=conversation.pk, specialist=specialist)
    chat_services.conversation_end(conversation_id=conversation.pk, actor=customer)
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        call_command("sla_sweep")  # breaches login (30 min), export (60 min), the callback
    outage_seconds = time.monotonic() - started

    assert answers == [201, 201, 201, 201]
    assert mail.outbox == []
    waiting = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
    login.refresh_from_db()
    export.refresh_from_db()
    assert login.escalation_level == 2 and export.escalation_level == 1  # 30 min apart
    assert CallbackRequest.objects.get().escalation_level >= 1

    broker.start()
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=62)),
        start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10),
    ):
        outbox_tasks.outbox_relay.delay()  # what beat sends every interval
        deadline = time.monotonic() + 20
        while (
            time.monotonic() < deadline
            and OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()
        ):
            time.sleep(0.1)
        # A second relay and a second sweep find nothing more to send.
        outbox_tasks.outbox_relay.delay()
        call_command("sla_sweep")
        time.sleep(1)

    confirmations = _mails(f"[#{login.pk}] We received") + _mails(f"[#{export.pk}] We received")
    confirmations += _mails(f"[#{invoice.pk}] We received")
    alerts = _mails(f"[#{login.pk}] Business-critical")
    replies = _mails(f"[#{invoice.pk}] New reply")
    transcripts = _mails("Your Premium chat transcript: VPN")
    escalations = _mails("SLA escalation")
    callback_escalations = _mails("Callback escalation")
    print(
        f"\noutage {outage_seconds:.1f} s: 3 tickets, 1 reply, 1 callback, 1 chat ended, "
        f"3 breaches; {waiting} deliveries waited; after: {len(mail.outbox)} emails "
        f"({len(confirmations)} confirmations, {len(alerts)} alert, {len(replies)} reply, "
        f"{len(transcripts)} transcript, {len(escalations)} ticket escalation digest(s), "
        f"{len(callback_escalations)} callback escalation)"
    )
    assert len(confirmations) == 3
    assert len(alerts) == 1 and alerts[0].to == ["agent@support.example"]
    assert len(replies) == 1 and replies[0].to == ["ada@acme.example"]
    assert len(transcripts) == 1
    for ticket in (login, export):
        noticed = [m for m in escalations if f"#{ticket.pk} " in m.body]
        assert len(noticed) == 1, ticket
    assert len(callback_escalations) == 1
    assert len(mail.outbox) == 3 + 1 + 1 + 1 + len(escalations) + 1
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()
