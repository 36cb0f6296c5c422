"""Ending a chat while the Celery broker is unreachable: the socket stays up and hears
the end, the chat is stored as ended, and the transcript leaves once the broker is back."""

import pytest
from django.core import mail

from chat.models import Conversation, ConversationStatus
from helpdesk.celery import app as celery_app
from helpdesk.core.outbox import services as outbox_services
from helpdesk.core.outbox.models import OutboxMessage, OutboxStatus
from tests.chat.conftest import Socket, run_async, session_cookie
from tests.chat.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_away(settings):
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens
    celery_app.conf.task_always_eager = False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    settings.OUTBOX_KICK_GRACE_SECONDS = 0
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = before
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    outbox_services._broker_away_until = 0.0


def test_the_customer_ends_a_chat_and_keeps_a_working_socket(customer, broker_away):
    cookie = session_cookie(customer)

    async def body():
        sock = Socket("/ws/chat/", cookie)
        assert await sock.connect()
        await sock.send({"type": "start", "topic": "VPN", "body": "Hello", "client_id": "c1"})
        await sock.recv_type("history")
        await sock.send({"type": "end"})
        ended = await sock.recv_type("ended")
        # The socket still answers: no close 1011 ("Exception inside application").
        await sock.send({"type": "ping"})
        pong = await sock.recv_type("pong")
        await sock.close()
        return ended, pong

    ended, pong = run_async(body)
    assert ended == {"type": "ended", "by": "customer"}
    assert pong["type"] == "pong"
    conversation = Conversation.objects.get()
    assert conversation.status == ConversationStatus.ENDED
    row = OutboxMessage.objects.get(key=f"chat.transcript:{conversation.pk}")
    assert row.status == OutboxStatus.PENDING and mail.outbox == []

    celery_app.conf.task_always_eager = True  # the broker is back: the relay runs
    outbox_services.outbox_relay()
    outbox_services.outbox_relay()
    assert [m.subject for m in mail.outbox] == ["Your Premium chat transcript: VPN"]
