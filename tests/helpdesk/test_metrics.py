"""/metrics: who may read it, the product's gauges, the open-socket count; the request
id in responses, log records and the tasks a request queues."""

import asyncio
import logging

import pytest

from helpdesk.core import request_id
from helpdesk.core.metrics import OPEN_SOCKETS, CountSockets
from sla.sweep import run_sweep

pytestmark = pytest.mark.django_db


def _value(body: str, name: str) -> float:
    line = next(line for line in body.splitlines() if line.startswith(name + " "))
    return float(line.split()[-1])


def test_metrics_answer_a_direct_loopback_request_with_the_product_gauges(client):
    from chat.services import conversation_start
    from tests.factories import SuperAdminFactory

    conversation_start(customer=SuperAdminFactory(), topic="VPN", body="down")
    run_sweep()
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    body = response.content.decode()
    assert 0 <= _value(body, "premiumdesk_sla_sweep_lag_seconds") < 60
    assert _value(body, 'premiumdesk_waiting{kind="chat"}') == 1
    assert _value(body, 'premiumdesk_waiting{kind="callback"}') == 0
    assert _value(body, "premiumdesk_chat_messages_stored") >= 1
    assert _value(body, 'premiumdesk_outbox_deliveries{state="waiting"}') >= 0
    for name in (
        'premiumdesk_sla_items_due{target="ticket"}',
        'premiumdesk_sla_breaches_last_day{target="chat"}',
        "premiumdesk_outbox_oldest_waiting_seconds",
        "django_http_requests_total_by_method_total",
    ):
        assert name in body, name


@pytest.mark.parametrize(
    "extra",
    [
        {"REMOTE_ADDR": "203.0.113.9"},
        # Through the proxy: nginx connects from loopback too, and sets X-Forwarded-For.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
    ],
)
def test_metrics_are_not_found_from_elsewhere_without_a_token(client, extra):
    assert client.get("/metrics", **extra).status_code == 404


def test_with_a_token_metrics_need_it_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "t0ken-for-the-scraper"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 404
    right = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken-for-the-scraper")
    assert right.status_code == 200


def test_open_sockets_are_counted_from_accept_to_the_end():
    async def app(scope, receive, send):
        await send({"type": "websocket.accept"})
        assert OPEN_SOCKETS.labels(route="/ws/chat/")._value.get() == before + 1

    async def send(message):
        pass

    before = OPEN_SOCKETS.labels(route="/ws/chat/")._value.get()
    asyncio.run(CountSockets(app)({"type": "websocket", "path": "/ws/chat/"}, None, send))
    assert OPEN_SOCKETS.labels(route="/ws/chat/")._value.get() == before


def test_a_request_id_is_answered_logged_and_carried_into_queued_tasks(client, caplog):
    from celery.signals import before_task_publish

    response = client.get("/healthz", HTTP_X_REQUEST_ID="abcdef0123456789")
    assert response["X-Request-ID"] == "abcdef0123456789"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")["X-Request-ID"]
    assert len(made) == 32 and made != "bad id with spaces"

    headers: dict = {}
    token = request_id.REQUEST_ID.set("feedfacefeedface")
    try:
        before_task_publish.send(sender="outbox.deliver", headers=headers, body=None)
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
        request_id.RequestIdFilter().filter(record)
    finally:
        request_id.REQUEST_ID.reset(token)
    assert headers == {"request_id": "feedfacefeedface"}
    assert record.request_id == "feedfacefeedface"


@pytest.mark.parametrize("sentry_installed", [True, False])
def test_log_format_json_writes_json_lines_and_sentry_never_stops_the_start(sentry_installed):
    """A process started with LOG_FORMAT=json and SENTRY_DSN set logs one JSON object per
    line; without sentry-sdk installed it starts all the same (with a warning)."""
    import json
    import os
    import subprocess
    import sys

    block = "" if sentry_installed else "import sys; sys.modules['sentry_sdk'] = None; "
    code = (
        block + "import django; django.setup(); import logging; "
        "logging.getLogger('helpdesk').warning('hello')"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "SECRET_KEY": "x",
        "LOG_FORMAT": "json",
        "SENTRY_DSN": "https://key@sentry.example.invalid/1",
    }
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert {"level": "WARNING", "logger": "helpdesk", "message": "hello"}.items() <= lines[
        -1
    ].items()
    assert lines[-1]["request_id"] == "-"
    assert ("sentry-sdk is not installed" in done.stderr) is not sentry_installed
