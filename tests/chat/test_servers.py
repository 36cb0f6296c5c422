"""Chat across real processes: two Daphne servers sharing Redis, and a Redis outage."""

import asyncio
import time

import pytest

from chat.models import Message
from tests.chat.conftest import run_async, session_cookie
from tests.chat.servers import Client, DaphneServer, RedisServer

pytestmark = pytest.mark.django_db(transaction=True)


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
    redis = RedisServer().start()
    server = DaphneServer(redis.url).start()
    customer_cookie, specialist_cookie = session_cookie(customer), session_cookie(specialist)
    outcomes: dict[str, str] = {}

    async def try_send(client_id: str, body: str) -> None:
        """One customer send during the outage, as the browser client would do it."""
        try:
            chat = await Client(server, "/ws/chat/", customer_cookie).connect()
            await chat.send({"type": "resume", "after_seq": 0})
            await chat.send({"type": "message", "body": body, "client_id": client_id})
            while True:
                frame = await chat.recv(timeout=3)
                if frame["type"] == "ack" and frame["client_id"] == client_id:
                    outcomes[client_id] = "stored"
                    break
                if frame["type"] == "error":
                    outcomes[client_id] = "refused: " + frame["message"]
                    break
            await chat.close()
        except Exception as exc:  # noqa: BLE001 - the connection was refused or dropped
            outcomes[client_id] = f"refused: {type(exc).__name__}"

    async def connect_when_back(path: str, cookie: str) -> Client:
        deadline = time.monotonic() + 20
        while True:
            try:
                client = await Client(server, path, cookie).connect()
                return client
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    try:
        server.wait()

        async def before():
            chat = await Client(server, "/ws/chat/", customer_cookie).connect()
            await chat.send({"type": "start", "topic": "Outage", "body": "m1", "client_id": "m1"})
            await chat.recv_type("history")
            console = await Client(server, "/ws/chat/console/", specialist_cookie).connect()
            state = await console.recv_type("state")
            conversation_id = state["queue"][0]["id"]
            await console.send({"type": "accept", "conversation": conversation_id})
            await console.recv_type("conversation")
            await chat.send({"type": "message", "body": "m2", "client_id": "m2"})
            await chat.recv_type("ack")
            await chat.close()
            await console.close()
            return conversation_id

        conversation_id = run_async(before)
        redis.stop()
        for n in (3, 4):
            run_async(try_send, f"m{n}", f"m{n}")
        time.sleep(3)  # Redis stays away a while; sockets notice and clients back off
        run_async(try_send, "m5", "m5")
        redis = RedisServer(port=redis.port).start()

        async def after():
            chat = await connect_when_back("/ws/chat/", customer_cookie)
            # The client re-sends what was not acknowledged, with the same ids.
            for client_id in ("m3", "m4", "m5"):
                await chat.send({"type": "message", "body": client_id, "client_id": client_id})
                assert (await chat.recv_type("ack"))["client_id"] == client_id
            await chat.send({"type": "resume", "after_seq": 0})
            customer_view = (await chat.recv_type("history"))["messages"]
            console = await connect_when_back("/ws/chat/console/", specialist_cookie)
            specialist_view = (await console.recv_type("state"))["held"][0]["messages"]
            # Live delivery works again across the layer.
            await chat.send({"type": "message", "body": "m6", "client_id": "m6"})
            live = await console.recv_type("message")
            await chat.close()
            await console.close()
            return customer_view, specialist_view, live

        customer_view, specialist_view, live = run_async(after)
    finally:
        server.stop()
        redis.stop()

    assert set(outcomes) == {"m3", "m4", "m5"}, outcomes
    assert all(o == "stored" or o.startswith("refused") for o in outcomes.values())
    expected = ["m1", "m2", "m3", "m4", "m5"]
    assert [m["body"] for m in customer_view] == expected
    assert [m["body"] for m in specialist_view] == expected
    assert [m["seq"] for m in customer_view] == [1, 2, 3, 4, 5]
    assert live["message"]["seq"] == 6
    assert Message.objects.filter(conversation_id=conversation_id).count() == 6
    print("outage outcomes:", outcomes)
