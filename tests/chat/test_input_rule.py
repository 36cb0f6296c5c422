"""The one input rule on the chat socket: a bad start or message frame gets an "error"
frame with the clear message, nothing is stored, and the socket stays open (no 1011)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from chat import services
from chat.models import Conversation, Message
from helpdesk.core.textclean import CONTROL_CHARACTERS, NOT_TEXT
from tests.chat.conftest import Socket, run_async, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = "/ws/chat/"
CONSOLE = "/ws/chat/console/"
NUL = "\x00"


def _start(**fields) -> dict:
    return {
        "type": "start",
        "topic": "Email workflows",
        "body": "Stopped",
        "client_id": "c1",
        **fields,
    }


BAD_STARTS = [
    (_start(topic=f"Email{NUL} workflows"), CONTROL_CHARACTERS),
    (_start(topic="\x1b[2J"), CONTROL_CHARACTERS),
    (_start(topic=["a list"]), NOT_TEXT),
    (_start(body=f"Stopped{NUL}"), CONTROL_CHARACTERS),
    (_start(body="\ud800"), CONTROL_CHARACTERS),  # a lone surrogate: no database stores it
    (_start(client_id=f"c{NUL}1"), CONTROL_CHARACTERS),
    (_start(client_id=12), services.BAD_CLIENT_ID),
    (_start(client_id={"id": 1}), services.BAD_CLIENT_ID),
    (_start(client_id="c" * 65), services.BAD_CLIENT_ID),
    (_start(topic="x" * 201), services.TOPIC_TOO_LONG),
]


def test_bad_start_frames_get_the_clear_message_and_the_socket_stays_open(customer):
    cookie = session_cookie(customer)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        assert await chat.connect()
        for frame, message in BAD_STARTS:
            await chat.send(frame)
            error = await chat.recv_type("error")
            assert (error["code"], error["message"]) == ("invalid", message), frame
        # Still open and usable: the same socket starts the chat, the override removed.
        await chat.send(_start(topic="\u202eEmail workflows"))
        assert (await chat.recv_type("ack"))["seq"] == 1
        history = await chat.recv_type("history")
        assert history["conversation"]["topic"] == "Email workflows"
        await chat.close()

    run_async(body)
    assert Conversation.objects.count() == 1
    assert list(Message.objects.values_list("body", flat=True)) == ["Stopped"]


def test_bad_messages_are_refused_on_both_sides_and_nothing_is_stored(customer, specialist):
    customer_cookie, specialist_cookie = session_cookie(customer), session_cookie(specialist)

    async def body():
        chat = Socket(CUSTOMER, customer_cookie)
        assert await chat.connect()
        await chat.send(_start())
        conversation = (await chat.recv_type("history"))["conversation"]["id"]
        console = Socket(CONSOLE, specialist_cookie)
        assert await console.connect()
        await console.send({"type": "accept", "conversation": conversation})
        await console.recv_type("conversation")
        for sock, extra in ((chat, {}), (console, {"conversation": conversation})):
            for frame in (
                {"type": "message", "body": f"hi{NUL}", "client_id": "m1"},
                {"type": "message", "body": "\x1b[31mred", "client_id": "m2"},
                {"type": "message", "body": "hi", "client_id": f"m{NUL}3"},
            ):
                await sock.send({**frame, **extra})
                error = await sock.recv_type("error")
                assert (error["code"], error["message"]) == ("invalid", CONTROL_CHARACTERS)
            await sock.send(
                {"type": "message", "body": "Line 1\r\n\tLine 2", "client_id": "ok", **extra}
            )
            assert (await sock.recv_type("ack"))["message"]["body"] == "Line 1\n\tLine 2"
        await chat.close()
        await console.close()

    run_async(body)
    assert list(Message.objects.order_by("seq").values_list("body", flat=True)) == [
        "Stopped",
        "Line 1\n\tLine 2",
        "Line 1\n\tLine 2",
    ]


@override_settings(CHAT_START_RATE_LIMIT_PER_HOUR=1)
def test_a_customer_over_the_start_limit_is_told_so_on_the_socket(customer):
    conversation, _ = services.conversation_start(customer=customer, topic="First", body="one")
    services.conversation_end(conversation_id=conversation.pk, actor=customer)
    cookie = session_cookie(customer)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        assert await chat.connect()
        await chat.send(_start())
        error = await chat.recv_type("error")
        assert (error["code"], error["message"]) == ("invalid", services.START_RATE_LIMITED)
        await chat.send({"type": "ping"})
        assert (await chat.recv_type("pong"))["type"] == "pong"
        await chat.close()

    run_async(body)
    assert Conversation.objects.count() == 1


def test_the_services_refuse_what_the_socket_refuses(customer):
    for kwargs in (
        {"topic": f"a{NUL}", "body": "b"},
        {"topic": "a", "body": f"b{NUL}"},
        {"topic": "a", "body": "b", "client_id": f"c{NUL}"},
    ):
        with pytest.raises(ValidationError) as exc:
            services.conversation_start(customer=customer, **kwargs)
        assert exc.value.messages == [CONTROL_CHARACTERS]
    assert not Conversation.objects.exists()
