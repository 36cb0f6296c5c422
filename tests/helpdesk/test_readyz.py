"""/readyz tells an operator what is wrong: the sweep not running, deliveries stuck."""

from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.core.outbox.models import OutboxMessage
from sla.sweep import run_sweep

pytestmark = pytest.mark.django_db


def _ready(client) -> tuple[int, str]:
    response = client.get("/readyz?format=json")
    return response.status_code, response.content.decode()


def test_ready_once_the_sweep_ran_and_nothing_waits(client):
    status, body = _ready(client)
    assert status == 500 and "the SLA sweep has never run" in body
    run_sweep()
    status, body = _ready(client)
    assert status == 200, body


def test_a_delivery_waiting_too_long_makes_the_portal_not_ready(client, settings):
    settings.OUTBOX_HEALTH_MAX_AGE_SECONDS = 900
    run_sweep()
    row = OutboxMessage.objects.create(kind="tickets.created", key="k", payload={})
    assert _ready(client)[0] == 200  # just written: on its way
    OutboxMessage.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(minutes=20)
    )
    status, body = _ready(client)
    assert status == 500
    assert "outbox: 1 waiting, the oldest for 1200 s (limit 900 s)" in body
