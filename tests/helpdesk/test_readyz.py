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


@pytest.fixture
def dead_port():
    from tests.chat.servers import free_port

    return free_port()


def test_an_unreachable_broker_channel_layer_and_no_worker_are_each_named(
    client, settings, dead_port
):
    from helpdesk.celery import app as celery_app

    settings.READYZ_TIMEOUT_SECONDS = 0.3
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "helpdesk.core.channel_layer.TolerantPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": f"redis://127.0.0.1:{dead_port}/0"}]},
        }
    }
    run_sweep()
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = f"redis://127.0.0.1:{dead_port}/0"
    celery_app.conf.task_always_eager = False
    try:
        status, body = _ready(client)
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = before
    assert status == 500
    assert "broker unreachable" in body
    assert "channel layer: Redis unreachable" in body
    assert "no worker could be asked" in body


def test_a_worker_answering_and_a_live_layer_make_the_portal_ready(client, settings, monkeypatch):
    """A real broker and layer; the worker's answer is stood in for (the rehearsal pings
    real workers): an in-process worker would close this test's database connection."""
    from helpdesk.celery import app as celery_app
    from tests.chat.servers import RedisServer

    server = RedisServer().start()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "helpdesk.core.channel_layer.TolerantPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": server.url}]},
        }
    }
    pings = []

    def ping(**kwargs):
        pings.append(kwargs)
        return [{"worker-1@host": {"ok": "pong"}}]

    monkeypatch.setattr(celery_app.control, "ping", ping)
    run_sweep()
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = server.url
    celery_app.conf.task_always_eager = False
    try:
        status, body = _ready(client)
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = before
        server.stop()
    assert status == 200, body
    assert [(p["timeout"], p["limit"]) for p in pings] == [(settings.READYZ_TIMEOUT_SECONDS, 1)]
