"""The one live-alert builder (sla/alerts.py) that tickets, callbacks and chats use:
a few items per alert, each with its own subject, and how many there were."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from helpdesk.callbacks import services as callbacks
from helpdesk.core.realtime import STAFF_GROUP
from sla import alerts
from sla.sweep import run_sweep
from tests.factories import SuperAdminFactory, ticket_for

pytestmark = pytest.mark.django_db
MANY = alerts.ALERT_ITEMS_MAX + 5


@pytest.fixture
def sent(monkeypatch):
    events = []
    monkeypatch.setattr(
        alerts, "broadcast_on_commit", lambda group, event: events.append((group, event))
    )
    return events


@override_settings(CALLBACK_RATE_LIMIT_PER_HOUR=100)
def test_callbacks_alert_with_at_most_the_limit_each_under_its_own_topic(sent):
    requester = SuperAdminFactory()
    topics = {}
    for n in range(MANY):
        callback, _ = callbacks.callback_request_create(
            requester=requester, phone="+14155550101", topic=f"Outage {n}"
        )
        topics[callback.pk] = f"Outage {n}"
    run_sweep(now=timezone.now() + timedelta(minutes=6))
    [(group, event)] = sent
    assert group == STAFF_GROUP and event["type"] == "sla.alert"
    assert event["total"] == MANY and len(event["alerts"]) == alerts.ALERT_ITEMS_MAX
    for alert in event["alerts"]:
        assert alert["kind"] == "callback" and alert["step"] == "breached"
        assert alert["subject"] == f"Callback not started: {topics[alert['id']]}"
        assert alert["url"] == f"/admin/callbacks/callbackrequest/{alert['id']}/change/"


@override_settings(TICKET_RATE_LIMIT_PER_HOUR=100)
def test_tickets_alert_with_at_most_the_limit_each_under_its_own_subject(sent):
    requester = SuperAdminFactory()
    subjects = {ticket_for(requester, subject=f"Export {n}").pk: f"Export {n}" for n in range(MANY)}
    run_sweep(now=timezone.now() + timedelta(minutes=61))
    [(group, event)] = sent
    assert event["total"] == MANY and len(event["alerts"]) == alerts.ALERT_ITEMS_MAX
    for alert in event["alerts"]:
        assert (alert["kind"], alert["step"], alert["level"]) == ("ticket", "breached", 1)
        assert alert["subject"] == subjects[alert["id"]]


def test_nothing_to_show_sends_nothing(sent):
    run_sweep()
    assert sent == []
