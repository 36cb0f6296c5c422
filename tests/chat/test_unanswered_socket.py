"""Honest waits over the customer's socket: the promise and a fresh estimate on asking,
and the live "ended by email" frame with the ticket a chat nobody joined became."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings
from django.utils import timezone

from chat.models import Conversation
from chat.services import conversation_unanswered_to_ticket
from tests.chat.conftest import Socket, run_async, session_cookie
from tests.chat.test_consumers import CUSTOMER, start_chat

pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(CHAT_UNANSWERED_TO_EMAIL_MINUTES=5)
def test_the_waiting_customer_is_promised_email_and_told_live_when_it_happens(customer):
    cookie = session_cookie(customer)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        assert await chat.connect()
        await chat.send({"type": "resume", "after_seq": 0})
        first = await chat.recv_type("history")
        outlook = first["availability"]
        assert (outlook["specialists_online"], outlook["offer_email"]) == (0, True)
        assert outlook["to_email_minutes"] == 5
        history = await start_chat(chat)
        assert history["queue"]["position"] == 1
        # Two minutes later the client asks again: the promise counts down.
        await sync_to_async(Conversation.objects.update)(
            created_at=timezone.now() - timedelta(minutes=2)
        )
        await chat.send({"type": "queue"})
        queue = await chat.recv_type("queue")
        while queue["to_email_in_seconds"] > 180:  # a queue update sent before asking
            queue = await chat.recv_type("queue")
        assert 170 <= queue["to_email_in_seconds"] <= 180 and queue["past_target"] is False
        # Six minutes: nobody joined; the beat task's service converts it.
        await sync_to_async(Conversation.objects.update)(
            created_at=timezone.now() - timedelta(minutes=6)
        )
        pk = history["conversation"]["id"]
        assert await sync_to_async(conversation_unanswered_to_ticket)(conversation_id=pk)
        ended = await chat.recv_type("ended")
        conversation = await sync_to_async(Conversation.objects.get)(pk=pk)
        assert ended == {
            "type": "ended",
            "by": "email",
            "ticket": conversation.ticket_id,
            "ticket_url": f"/tickets/{conversation.ticket_id}/",
        }
        # On resume, the same: ended by going to email, with the ticket's page.
        await chat.send({"type": "resume", "after_seq": 1, "conversation": pk})
        resumed = await chat.recv_type("history")
        assert resumed["conversation"]["ended_by"] == "email"
        assert resumed["conversation"]["ticket_url"] == f"/tickets/{conversation.ticket_id}/"
        await chat.comm.disconnect()

    run_async(body)
