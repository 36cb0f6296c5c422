"""Chat across real processes: two Daphne servers sharing Redis, and a Redis outage."""

import asyncio
import time

import pytest
from websockets.exceptions import ConnectionClosed

from chat.consumers import CLOSE_RESUME
from chat.models import Message
from tests.chat.conftest import run_async, session_cookie
from tests.chat.servers import Client, DaphneServer, RedisServer

pytestmark = pytest.mark.django_db(transaction=True)

# How long Redis stays away in the outage test: the "30 seconds mid-chat".
REDIS_OUTAGE_SECONDS = 30


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


def test_a_customer_on_one_daphne_talks_to_a_specialist_on_another(
    redis_server, customer, specialist
):
    servers = [DaphneServer(redis_server.url).start() for _ in range(2)]
    customer_cookie, specialist_cookie = session_cookie(customer), session_cookie(specialist)
    try:
        for server in servers:
            server.wait()

        async def body():
            console = await Client(servers[1], "/ws/chat/console/", specialist_cookie).connect()
            await console.recv_type("state")
            chat = await Client(servers[0], "/ws/chat/", customer_cookie).connect()
            await chat.send(
                {"type": "start", "topic": "Two servers", "body": "hello from A", "client_id": "a1"}
            )
            await chat.recv_type("ack")
            conversation_id = (await chat.recv_type("history"))["conversation"]["id"]
            # The queue update crossed from server A to server B through Redis.
            queue = await console.recv_type("queue")
            assert [q["id"] for q in queue["queue"]] == [conversation_id]
            await console.send({"type": "accept", "conversation": conversation_id})
            await console.recv_type("conversation")
            assert (await chat.recv_type("joined"))["conversation"]["specialist_name"] == "Sam"

            await console.send(
                {
                    "type": "message",
                    "conversation": conversation_id,
                    "body": "hello from B",
                    "client_id": "b1",
                }
            )
            heard = await chat.recv_type("message")
            assert heard["message"]["body"] == "hello from B" and heard["message"]["seq"] == 2
            await chat.send({"type": "typing", "typing": True})
            assert (await console.recv_type("typing"))["name"] == "Ada"
            await chat.send({"type": "message", "body": "thanks", "client_id": "a2"})
            heard = await console.recv_type("message")
            assert heard["message"]["body"] == "thanks" and heard["message"]["seq"] == 3
            await chat.close()
            await console.close()

        run_async(body)
    finally:
        for server in servers:
            server.stop()
    assert list(Message.objects.order_by("seq").values_list("body", flat=True)) == [
        "hello from A",
        "hello from B",
        "thanks",
    ]


def test_redis_outage_mid_chat_loses_and_duplicates_nothing(customer, specialist):
    """Redis goes away for REDIS_OUTAGE_SECONDS with both sides' sockets open. Messages
    sent meanwhile, on the open socket and on sockets opened during the outage (a
    reload), are stored and acknowledged or refused with an error frame; once Redis is
    back, the open sockets are told to resume and both sides then hold every stored
    message exactly once, and live delivery works again."""
    redis = RedisServer().start()
    server = DaphneServer(redis.url).start()
    customer_cookie, specialist_cookie = session_cookie(customer), session_cookie(specialist)
    outcomes: dict[str, str] = {}

    async def outcome(chat: Client, client_id: str) -> str:
        while True:
            frame = await chat.recv(timeout=10)
            if frame["type"] == "ack" and frame["client_id"] == client_id:
                return "stored"
            if frame["type"] == "error":
                assert frame["client_id"] == client_id, frame
                return "refused: " + frame["message"]

    async def send_on(chat: Client, client_id: str) -> None:
        await chat.send({"type": "message", "body": client_id, "client_id": client_id})
        outcomes[client_id] = await outcome(chat, client_id)

    async def send_after_reload(client_id: str) -> None:
        """One customer send on a socket opened during the outage, as after a reload."""
        chat = await Client(server, "/ws/chat/", customer_cookie).connect()
        await chat.send({"type": "resume", "after_seq": 0})
        assert [m["body"] for m in (await chat.recv_type("history"))["messages"]][:2] == [
            "m1",
            "m2",
        ]
        await send_on(chat, client_id)
        await chat.close()

    async def told_to_resume(client: Client) -> int:
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await client.recv(timeout=30)
        return closed.value.rcvd.code

    try:
        server.wait()

        async def body():
            nonlocal redis
            chat = await Client(server, "/ws/chat/", customer_cookie).connect()
            await chat.send({"type": "start", "topic": "Outage", "body": "m1", "client_id": "m1"})
            await chat.recv_type("history")
            console = await Client(server, "/ws/chat/console/", specialist_cookie).connect()
            conversation_id = (await console.recv_type("state"))["queue"][0]["id"]
            await console.send({"type": "accept", "conversation": conversation_id})
            await console.recv_type("conversation")
            await chat.send({"type": "message", "body": "m2", "client_id": "m2"})
            await chat.recv_type("ack")
            assert (await console.recv_type("message"))["message"]["body"] == "m2"

            await asyncio.to_thread(redis.stop)
            back_at = time.monotonic() + REDIS_OUTAGE_SECONDS
            # Right after Redis went: on the open socket, and after a reload; then in
            # the middle of the outage and near its end.
            await send_on(chat, "m3")
            await send_after_reload("m4")
            await asyncio.sleep(max(0.0, back_at - REDIS_OUTAGE_SECONDS / 2 - time.monotonic()))
            await send_after_reload("m5")
            await asyncio.sleep(max(0.0, back_at - 5 - time.monotonic()))
            await send_after_reload("m6")
            await asyncio.sleep(max(0.0, back_at - time.monotonic()))
            redis = await asyncio.to_thread(RedisServer(port=redis.port).start)

            # The sockets open through the outage missed its events: told to resume.
            assert await told_to_resume(chat) == CLOSE_RESUME
            assert await told_to_resume(console) == CLOSE_RESUME
            chat = await Client(server, "/ws/chat/", customer_cookie).connect()
            # The client re-sends what was not acknowledged, with the same ids; here all
            # of them, to show a stored one is acknowledged again, not stored twice.
            for client_id in ("m3", "m4", "m5", "m6"):
                await chat.send({"type": "message", "body": client_id, "client_id": client_id})
                assert (await chat.recv_type("ack"))["client_id"] == client_id
            await chat.send({"type": "resume", "after_seq": 0})
            customer_view = (await chat.recv_type("history"))["messages"]
            console = await Client(server, "/ws/chat/console/", specialist_cookie).connect()
            specialist_view = (await console.recv_type("state"))["held"][0]["messages"]
            # Live delivery works again across the layer.
            await chat.send({"type": "message", "body": "m7", "client_id": "m7"})
            live = await console.recv_type("message")
            await chat.close()
            await console.close()
            return conversation_id, customer_view, specialist_view, live

        conversation_id, customer_view, specialist_view, live = run_async(body)
    finally:
        server.stop()
        redis.stop()

    assert set(outcomes) == {"m3", "m4", "m5", "m6"}, outcomes
    assert all(o == "stored" or o.startswith("refused: ") for o in outcomes.values()), outcomes
    expected = ["m1", "m2", "m3", "m4", "m5", "m6"]
    assert [m["body"] for m in customer_view] == expected
    assert [m["body"] for m in specialist_view] == expected
    assert [m["seq"] for m in customer_view] == [1, 2, 3, 4, 5, 6]
    assert live["message"]["seq"] == 7
    assert Message.objects.filter(conversation_id=conversation_id).count() == 7
    print("outage outcomes:", outcomes)
