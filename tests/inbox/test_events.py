"""The inbox's live events on the staff socket: new, claimed, answered, and SLA
warnings for chats and callbacks as well as tickets."""

from datetime import timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync, sync_to_async
from django.utils import timezone

from chat.services import conversation_accept, conversation_start
from helpdesk.callbacks.services import callback_claim, callback_request_create
from helpdesk.tickets.models import ReplyVisibility
from helpdesk.tickets.services import ticket_assign, ticket_reply
from sla.sweep import run_sweep
from tests.factories import StaffFactory, SuperAdminFactory, ticket_for
from tests.sla.test_alerts import _communicator, _cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def _all(communicator) -> list[dict]:
    """Every frame until the socket is quiet."""
    frames = []
    while not await communicator.receive_nothing(timeout=0.3):
        frames.append(await communicator.receive_json_from(timeout=1))
    return frames


def _inbox(frames: list[dict]) -> list[tuple]:
    return [(f["kind"], f["change"], f["title"]) for f in frames if f["type"] == "inbox.changed"]


def test_new_claimed_and_answered_items_are_announced_once_each():
    agent = StaffFactory()
    customer = SuperAdminFactory()
    cookie = _cookie(agent)

    async def scenario():
        communicator = _communicator(cookie)
        connected, _ = await communicator.connect()
        assert connected

        ticket = await sync_to_async(ticket_for)(customer, subject="Export broken")
        frames = await _all(communicator)
        assert frames == [
            {
                "type": "inbox.changed",
                "kind": "ticket",
                "id": ticket.pk,
                "change": "new",
                "title": "Export broken",
                "assignee": None,
            }
        ]
        await sync_to_async(ticket_assign)(ticket=ticket, assignee=agent, actor=agent)
        frames = await _all(communicator)
        assert _inbox(frames) == [("ticket", "claimed", "Export broken")]
        assert frames[0]["assignee"] == agent.pk
        await sync_to_async(ticket_reply)(
            ticket=ticket, author=agent, body="Fixed", visibility=ReplyVisibility.PUBLIC
        )
        assert _inbox(await _all(communicator)) == [("ticket", "answered", "Export broken")]
        # An internal note changes nothing in the inbox.
        await sync_to_async(ticket_reply)(
            ticket=ticket, author=agent, body="Note", visibility=ReplyVisibility.INTERNAL
        )
        assert _inbox(await _all(communicator)) == []

        chat, _ = await sync_to_async(conversation_start)(
            customer=customer, topic="Login help", body="Hi"
        )
        assert _inbox(await _all(communicator)) == [("chat", "new", "Login help")]
        await sync_to_async(conversation_accept)(conversation_id=chat.pk, specialist=agent)
        assert _inbox(await _all(communicator)) == [("chat", "claimed", "Login help")]

        callback, _ = await sync_to_async(callback_request_create)(
            requester=customer, phone="+1 415 555 0100", topic="Call me"
        )
        frames = await _all(communicator)
        assert _inbox(frames) == [("callback", "new", "Call me")]
        assert {"type": "queue.changed", "queue": "callback"} in frames
        await sync_to_async(callback_claim)(callback=callback, specialist=agent)
        assert _inbox(await _all(communicator)) == [("callback", "claimed", "Call me")]
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_warnings_before_the_deadline_reach_the_staff_for_chats_and_callbacks():
    t0 = timezone.now()
    agent = StaffFactory()
    customer = SuperAdminFactory()
    with time_machine.travel(t0, tick=False):
        chat, _ = conversation_start(customer=customer, topic="Waiting long", body="Hi")
        callback, _ = callback_request_create(
            requester=customer, phone="+1 415 555 0100", topic="Ring me"
        )
    cookie = _cookie(agent)

    async def scenario():
        communicator = _communicator(cookie)
        connected, _ = await communicator.connect()
        assert connected

        def sweep_at(seconds: float):
            with time_machine.travel(t0 + timedelta(seconds=seconds), tick=False):
                return run_sweep()

        # Past the warning share of both clocks, before either deadline.
        chat_warn = (chat.warn_at - t0).total_seconds()
        callback_due = (callback.due_at - t0).total_seconds()
        assert chat_warn < callback_due
        await sync_to_async(sweep_at)(chat_warn + 1)
        frames = [f for f in await _all(communicator) if f["type"] == "sla.alert"]
        steps = [(a["kind"], a["step"]) for f in frames for a in f["alerts"]]
        assert ("chat", "warned") in steps
        await communicator.disconnect()

    async_to_sync(scenario)()
