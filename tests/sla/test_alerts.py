import asyncio
from datetime import timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from helpdesk.asgi import application
from sla.sweep import run_sweep
from tests.factories import StaffFactory, SuperAdminFactory, ticket_for

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _communicator(cookie: str):
    """Through the real stack (origin check, session): the feed checks the session."""
    return WebsocketCommunicator(
        application,
        "/ws/staff/alerts/",
        headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", f"sessionid={cookie}".encode())],
    )


def test_breach_alert_reaches_a_connected_specialist():
    # Close to real time: the in-memory layer expires group members by the wall clock.
    t0 = timezone.now()
    agent = StaffFactory()
    with time_machine.travel(t0, tick=False):
        ticket = ticket_for(SuperAdminFactory(), subject="<b>Checkout down</b>")
    cookie = _cookie(agent)

    async def scenario():
        communicator = _communicator(cookie)
        connected, _ = await communicator.connect()
        assert connected

        def sweep():
            with time_machine.travel(t0 + timedelta(minutes=61), tick=False):
                return run_sweep()

        assert (await sync_to_async(sweep)())["ticket"] == 1
        message = await communicator.receive_json_from(timeout=5)
        assert message["type"] == "sla.alert"
        assert message["alerts"] == [
            {
                "kind": "ticket",
                "id": ticket.pk,
                "step": "breached",
                "level": 1,
                "subject": "<b>Checkout down</b>",
                "url": f"/admin/tickets/ticket/{ticket.pk}/change/",
            }
        ]
        await sync_to_async(sweep)()  # nothing new: no second alert
        assert await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_customers_cannot_listen_to_staff_alerts():
    cookie = _cookie(SuperAdminFactory())

    async def scenario_real():
        communicator = _communicator(cookie)
        connected, code = await communicator.connect()
        assert not connected and code == 4403
        # End the refused consumer here, not in the event loop's teardown, where a
        # cancelled channel-layer read once hung the whole CI run.
        await communicator.disconnect()

    async_to_sync(scenario_real)()


def test_foreign_origin_is_refused():
    async def scenario():
        communicator = WebsocketCommunicator(
            application, "/ws/staff/alerts/", headers=[(b"origin", b"https://evil.example")]
        )
        connected, _ = await communicator.connect()
        assert not connected
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_a_lost_channel_layer_connection_closes_the_feed_for_a_reconnect(monkeypatch):
    """Redis came back (or is away): the feed may have missed alerts. The socket closes
    with 4503 and the page's client reconnects, instead of the consumer dying with an
    application error."""
    from channels.layers import get_channel_layer

    from helpdesk.core.channel_layer import LayerConnectionLost

    cookie = _cookie(StaffFactory())
    reconnected = None

    async def lost(channel):
        await reconnected.wait()
        raise LayerConnectionLost("the channel layer lost its connection to Redis")

    monkeypatch.setattr(get_channel_layer(), "receive", lost)

    async def scenario():
        nonlocal reconnected
        reconnected = asyncio.Event()
        communicator = _communicator(cookie)
        connected, _ = await communicator.connect()
        assert connected
        reconnected.set()
        closed = await communicator.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4503}
        await communicator.wait(timeout=5)

    async_to_sync(scenario)()
