"""The chat sockets through the real ASGI stack: access, ordering, resume, bad input."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from chat import consumers, services
from chat.models import Conversation, ConversationStatus, Message
from helpdesk.core.realtime import conversation_group
from tests.chat.conftest import Socket, run_async, session_cookie
from tests.factories import StaffFactory, SuperAdminFactory

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = "/ws/chat/"
CONSOLE = "/ws/chat/console/"


def run(coro_fn):
    return run_async(coro_fn)


async def start_chat(sock: Socket, body: str = "Workflows stopped", client_id: str = "c1") -> dict:
    await sock.send(
        {"type": "start", "topic": "Email workflows", "body": body, "client_id": client_id}
    )
    ack = await sock.recv_type("ack")
    history = await sock.recv_type("history")
    assert ack == {"type": "ack", "client_id": client_id, "seq": 1}
    return history


def test_only_entitled_customers_and_staff_get_their_own_socket(
    customer, specialist, plain_customer
):
    cases = [
        (CUSTOMER, None, False),  # anonymous
        (CUSTOMER, session_cookie(plain_customer), False),  # no Premium Support
        (CUSTOMER, session_cookie(specialist), False),  # staff on the customer socket
        (CONSOLE, session_cookie(customer), False),  # customer on the console
        (CONSOLE, None, False),
        (CUSTOMER, session_cookie(customer), True),
        (CONSOLE, session_cookie(specialist), True),
    ]

    async def body():
        for path, cookie, allowed in cases:
            sock = Socket(path, cookie)
            assert await sock.connect() is allowed, (path, allowed)
            await sock.close()

    run(body)


def test_foreign_origin_is_refused(customer):
    cookie = session_cookie(customer)

    async def body():
        sock = Socket(CUSTOMER, cookie, origin=(b"origin", b"http://evil.example"))
        assert not await sock.connect()

    run(body)


def test_mobile_app_gets_no_chat_socket(customer):
    cookie = session_cookie(customer)

    async def body():
        sock = Socket(CUSTOMER, cookie)
        sock.comm.scope["headers"].append((b"user-agent", b"PremiumDeskMobile/3.1"))
        assert not await sock.connect()

    run(body)


def test_customer_and_specialist_talk_in_order_with_typing_delivery_and_end(customer, specialist):
    customer_cookie, specialist_cookie = session_cookie(customer), session_cookie(specialist)

    async def body():
        console = Socket(CONSOLE, specialist_cookie)
        assert await console.connect()
        state = await console.recv_type("state")
        assert state["queue"] == [] and state["held"] == []

        chat = Socket(CUSTOMER, customer_cookie)
        assert await chat.connect()
        await chat.send({"type": "resume", "after_seq": 0})
        first = await chat.recv_type("history")
        assert first["conversation"] is None and first["availability"]["specialists_online"] == 1

        history = await start_chat(chat)
        conversation = history["conversation"]
        assert conversation["status"] == "waiting"
        assert history["queue"]["position"] == 1
        assert [m["body"] for m in history["messages"]] == ["Workflows stopped"]

        queue = await console.recv_type("queue")
        assert [q["id"] for q in queue["queue"]] == [conversation["id"]]
        assert queue["queue"][0]["topic"] == "Email workflows"

        await console.send({"type": "accept", "conversation": conversation["id"]})
        opened = (await console.recv_type("conversation"))["conversation"]
        assert opened["customer"]["role"] == "Super admin"
        assert opened["customer"]["account"] == customer.account.name
        assert [m["seq"] for m in opened["messages"]] == [1]
        joined = await chat.recv_type("joined")
        assert joined["conversation"]["specialist_name"] == "Sam"

        await console.send({"type": "typing", "conversation": conversation["id"], "typing": True})
        assert (await chat.recv_type("typing")) == {"type": "typing", "name": "Sam", "typing": True}

        for n in range(3):
            await console.send(
                {
                    "type": "message",
                    "conversation": conversation["id"],
                    "body": f"s{n}",
                    "client_id": f"s{n}",
                }
            )
            await chat.send({"type": "message", "body": f"c{n}", "client_id": f"c{n}x"})
        # The customer hears the specialist's messages as broadcasts and gets its own
        # back in their acks (the stored copy), never a second time as a broadcast.
        heard, acked = [], []
        while len(heard) + len(acked) < 6:
            frame = await chat.recv()
            if frame["type"] == "message":
                heard.append(frame["message"]["body"])
            elif frame["type"] == "ack":
                assert frame["message"]["seq"] == frame["seq"]
                acked.append((frame["message"]["body"], frame["message"]["sender_role"]))
        assert heard == ["s0", "s1", "s2"]
        assert acked == [("c0", "customer"), ("c1", "customer"), ("c2", "customer")]
        assert await chat.nothing(0.3)

        await chat.send({"type": "delivered", "seq": 7})
        delivery = await console.recv_type("delivery")
        assert delivery["role"] == "customer" and delivery["seq"] == 7
        # Seen: the customer had the chat on screen; the specialist too.
        await chat.send({"type": "seen", "seq": 6})
        seen = await console.recv_type("seen")
        assert (seen["role"], seen["seq"], seen["conversation"]) == (
            "customer",
            6,
            conversation["id"],
        )
        await console.send({"type": "seen", "conversation": conversation["id"], "seq": 7})
        # Each side hears both marks (as with delivery) and shows the other side's.
        assert (await chat.recv_type("seen"))["role"] == "customer"
        assert (await chat.recv_type("seen"))["role"] == "specialist"

        await chat.send({"type": "end"})
        assert (await chat.recv_type("ended"))["by"] == "customer"
        assert (await console.recv_type("ended"))["conversation"] == conversation["id"]
        await chat.close()
        await console.close()

    run(body)
    conversation = Conversation.objects.get(customer=customer)
    assert conversation.status == ConversationStatus.ENDED
    assert list(conversation.messages.values_list("seq", flat=True)) == list(range(1, 8))
    assert conversation.answered_at is not None and conversation.accepted_at is not None
    assert conversation.customer_delivered_seq == 7
    assert (conversation.customer_seen_seq, conversation.specialist_seen_seq) == (6, 7)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [customer.email]
    assert "s2" in mail.outbox[0].body and "Workflows stopped" in mail.outbox[0].body


def test_resume_after_disconnect_gets_exactly_what_was_missed(customer, specialist):
    customer_cookie, specialist_cookie = session_cookie(customer), session_cookie(specialist)

    async def body():
        chat = Socket(CUSTOMER, customer_cookie)
        assert await chat.connect()
        history = await start_chat(chat)
        conversation_id = history["conversation"]["id"]
        console = Socket(CONSOLE, specialist_cookie)
        assert await console.connect()
        await console.send({"type": "accept", "conversation": conversation_id})
        await console.recv_type("conversation")
        await chat.close()  # the customer's connection drops

        for n in range(3):
            await console.send(
                {
                    "type": "message",
                    "conversation": conversation_id,
                    "body": f"while away {n}",
                    "client_id": f"w{n}",
                }
            )
            assert (await console.recv_type("ack"))["seq"] == n + 2

        again = Socket(CUSTOMER, customer_cookie)
        assert await again.connect()
        # The client re-sends the message it had not seen acknowledged, and asks for the rest.
        await again.send({"type": "resume", "after_seq": 1})
        resumed = await again.recv_type("history")
        assert [m["seq"] for m in resumed["messages"]] == [2, 3, 4]
        assert resumed["conversation"]["specialist_name"] == "Sam"
        await again.send({"type": "message", "body": "retry", "client_id": "r1"})
        await again.send({"type": "message", "body": "retry", "client_id": "r1"})
        first, second = await again.recv_type("ack"), await again.recv_type("ack")
        assert first["seq"] == second["seq"] == 5
        await again.close()
        await console.close()

    run(body)
    assert Message.objects.filter(client_id="r1").count() == 1


def test_bad_frames_get_an_error_change_nothing_and_the_socket_stays_usable(customer):
    cookie = session_cookie(customer)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        assert await chat.connect()
        await start_chat(chat)
        bad = [
            ({"text": "{not json"}, "malformed", consumers.MALFORMED),
            ({"text": "[1, 2]"}, "malformed", consumers.MALFORMED),
            ({"text": '{"type": "launch_missiles"}'}, "unknown_type", consumers.UNKNOWN_TYPE),
            ({"data": b"\x00\x01"}, "text_only", consumers.TEXT_ONLY),
            (
                {"frame": {"type": "message", "body": "x" * 4001, "client_id": "big"}},
                "too_long",
                services.MESSAGE_TOO_LONG,
            ),
            (
                {"frame": {"type": "message", "body": "   ", "client_id": "blank"}},
                "invalid",
                services.MESSAGE_REQUIRED,
            ),
            ({"frame": {"type": "resume", "after_seq": "all"}}, "malformed", consumers.MALFORMED),
            (
                {"frame": {"type": "start", "topic": "again", "body": "x"}},
                "invalid",
                services.ALREADY_OPEN,
            ),
        ]
        for sent, code, message in bad:
            if "frame" in sent:
                await chat.send(sent["frame"])
            else:
                await chat.send_raw(sent.get("text"), sent.get("data"))
            error = await chat.recv_type("error")
            assert (error["code"], error["message"]) == (code, message), sent
        await chat.send({"type": "message", "body": "x" * 4000, "client_id": "max"})
        assert (await chat.recv_type("ack"))["seq"] == 2
        await chat.send({"type": "ping"})
        pong = await chat.recv_type("pong")
        assert list(pong["seqs"].values()) == [2]  # nothing bad was stored
        await chat.close()

    run(body)
    assert list(Message.objects.values_list("seq", flat=True)) == [1, 2]


@override_settings(CHAT_RATE_LIMIT_FRAMES=5, CHAT_RATE_LIMIT_WINDOW_SECONDS=60)
def test_a_flood_is_rate_limited_per_user(customer):
    cookie = session_cookie(customer)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        assert await chat.connect()
        await start_chat(chat)  # frame 1
        for n in range(6):  # frames 2..7: 4 allowed, then refused
            await chat.send({"type": "message", "body": f"m{n}", "client_id": f"m{n}"})
        frames = []
        while len(frames) < 6:
            frame = await chat.recv()
            if frame["type"] in ("ack", "error"):
                frames.append(frame)
        # Refusals are immediate; acks follow as the writer stores.
        assert sorted(f["type"] for f in frames) == ["ack"] * 4 + ["error"] * 2
        assert [f["seq"] for f in frames if f["type"] == "ack"] == [2, 3, 4, 5]
        assert {f["message"] for f in frames if f["type"] == "error"} == {consumers.RATE_LIMITED}
        # A second socket of the same user shares the limit.
        other = Socket(CUSTOMER, cookie)
        assert await other.connect()
        await other.send({"type": "ping"})
        assert (await other.recv_type("error"))["code"] == "rate_limited"
        await chat.close()
        await other.close()

    run(body)
    assert Message.objects.count() == 5


def test_logout_closes_that_users_sockets_only(customer, specialist):
    other = SuperAdminFactory()
    browser = Client()
    browser.force_login(customer)
    cookie = browser.cookies["sessionid"].value
    other_cookie = session_cookie(other)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        bystander = Socket(CUSTOMER, other_cookie)
        assert await chat.connect() and await bystander.connect()
        await sync_to_async(browser.post)("/logout/")
        error = await chat.recv_type("error")
        assert error["message"] == consumers.SESSION_ENDED
        assert (await chat.comm.receive_output(timeout=3))["code"] == consumers.CLOSE_SIGNED_OUT
        await bystander.send({"type": "ping"})
        assert (await bystander.recv_type("pong"))["type"] == "pong"
        await bystander.close()
        await chat.close()

    run(body)


def test_deactivation_and_lost_entitlement_close_sockets(customer, specialist):
    cookie, staff_cookie = session_cookie(customer), session_cookie(specialist)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        console = Socket(CONSOLE, staff_cookie)
        assert await chat.connect() and await console.connect()

        def end_purchase():
            purchase = customer.account.premium_support_purchases.get()
            purchase.ends_at = timezone.now()
            purchase.save()

        await sync_to_async(end_purchase)()
        assert (await chat.recv_type("error"))["message"] == consumers.ACCESS_LOST
        assert (await chat.comm.receive_output(timeout=3))["code"] == consumers.CLOSE_FORBIDDEN

        def deactivate():
            specialist.is_active = False
            specialist.save()

        await sync_to_async(deactivate)()
        assert (await console.recv_type("error"))["message"] == consumers.SESSION_ENDED
        assert (await console.comm.receive_output(timeout=3))["code"] == consumers.CLOSE_SIGNED_OUT
        # Let the closed consumers finish before the loop ends (the Redis layer's
        # pending receive would otherwise hold up the loop's shutdown).
        await chat.close()
        await console.close()

    run(body)


def test_a_customer_reaches_only_their_own_chat_and_a_specialist_only_theirs(customer, specialist):
    intruder = SuperAdminFactory()
    colleague_cookie = session_cookie(StaffFactory())
    cookie, intruder_cookie = session_cookie(customer), session_cookie(intruder)
    specialist_cookie = session_cookie(specialist)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        assert await chat.connect()
        conversation_id = (await start_chat(chat))["conversation"]["id"]
        spy = Socket(CUSTOMER, intruder_cookie)
        assert await spy.connect()
        await spy.send(
            {"type": "message", "conversation": conversation_id, "body": "hi", "client_id": "x"}
        )
        assert (await spy.recv_type("error"))["message"] == consumers.NO_OPEN_CHAT
        await spy.send({"type": "resume", "after_seq": 0})
        assert (await spy.recv_type("history"))["conversation"] is None

        console = Socket(CONSOLE, specialist_cookie)
        assert await console.connect()
        await console.send({"type": "accept", "conversation": conversation_id})
        await console.recv_type("conversation")
        colleague = Socket(CONSOLE, colleague_cookie)
        assert await colleague.connect()
        await colleague.send({"type": "accept", "conversation": conversation_id})
        assert (await colleague.recv_type("error"))["message"] == services.ALREADY_TAKEN
        await colleague.send({"type": "history", "conversation": conversation_id})
        assert (await colleague.recv_type("error"))["message"] == services.NOT_A_PARTICIPANT
        await colleague.send(
            {"type": "message", "conversation": conversation_id, "body": "hijack", "client_id": "h"}
        )
        assert (await colleague.recv_type("error"))["message"] == services.NOT_A_PARTICIPANT
        for sock in (chat, spy, console, colleague):
            await sock.close()

    run(body)
    assert not Message.objects.filter(body__in=["hi", "hijack"]).exists()


def test_the_specialist_turns_the_chat_into_a_ticket_with_the_transcript_once(customer, specialist):
    from helpdesk.tickets.models import Ticket, TicketChannel

    customer_cookie, specialist_cookie = session_cookie(customer), session_cookie(specialist)

    async def body():
        chat = Socket(CUSTOMER, customer_cookie)
        assert await chat.connect()
        conversation_id = (await start_chat(chat, body="Exports <fail>"))["conversation"]["id"]
        await chat.send({"type": "ticket", "conversation": conversation_id})
        assert (await chat.recv_type("error"))["code"] == "unknown_type"  # customers can't
        console = Socket(CONSOLE, specialist_cookie)
        assert await console.connect()
        await console.send({"type": "accept", "conversation": conversation_id})
        await console.recv_type("conversation")
        await console.send(
            {"type": "message", "conversation": conversation_id, "body": "On it", "client_id": "s"}
        )
        await console.send({"type": "ticket", "conversation": conversation_id})
        first = await console.recv_type("ticket")
        await console.send({"type": "ticket", "conversation": conversation_id})
        await console.send({"type": "ping"})
        await console.recv_type("pong")
        assert await console.nothing() or True
        for sock in (chat, console):
            await sock.close()
        return first

    first = run(body)
    ticket = Ticket.objects.get()
    assert first["ticket"]["id"] == ticket.pk
    assert first["ticket"]["url"] == f"/admin/tickets/ticket/{ticket.pk}/change/"
    assert ticket.channel == TicketChannel.CHAT and ticket.requester == customer
    assert ticket.subject == "Email workflows"
    assert "Exports <fail>" in ticket.description and "On it" in ticket.description
    assert Conversation.objects.get().ticket == ticket


def test_waiting_customers_see_their_place_move_up_when_a_chat_is_accepted(customer, specialist):
    second = SuperAdminFactory()
    first_cookie, second_cookie = session_cookie(customer), session_cookie(second)
    specialist_cookie = session_cookie(specialist)

    async def body():
        console = Socket(CONSOLE, specialist_cookie)
        assert await console.connect()
        one, two = Socket(CUSTOMER, first_cookie), Socket(CUSTOMER, second_cookie)
        assert await one.connect() and await two.connect()
        first_id = (await start_chat(one))["conversation"]["id"]
        history = await start_chat(two)
        assert history["queue"]["position"] == 2
        assert history["queue"]["expected_wait_seconds"] == 120  # 2 × 60 s ÷ 1 online
        await console.send({"type": "accept", "conversation": first_id})
        moved = await two.recv_type("queue")
        while moved["position"] == 2:  # updates queued before the accept
            moved = await two.recv_type("queue")
        assert moved["position"] == 1 and moved["offer_email"] is False
        for sock in (console, one, two):
            await sock.close()

    run(body)


async def forget_group(group: str) -> None:
    """Lose the group's next events without any socket seeing an error: what a Redis
    that restarted between two reads does to RedisChannelLayer's groups, and what a
    publish that failed on one server does to the others' sockets on any layer."""
    layer = get_channel_layer()
    if isinstance(layer, RedisChannelLayer):
        connection = layer.connection(layer.consistent_hash(group))
        await connection.delete(layer._group_key(group))
    elif isinstance(layer, RedisPubSubChannelLayer):  # the default with REDIS_URL (CI)
        local = layer._get_layer()
        local.groups.pop(local._get_group_channel_name(group), None)
    else:  # in-memory layer (plain test runs)
        layer.groups.pop(group, None)


def test_a_heartbeat_rejoins_forgotten_groups_and_says_how_far_each_chat_goes(customer, specialist):
    customer_cookie, specialist_cookie = session_cookie(customer), session_cookie(specialist)

    async def body():
        chat = Socket(CUSTOMER, customer_cookie)
        assert await chat.connect()
        conversation_id = (await start_chat(chat))["conversation"]["id"]
        console = Socket(CONSOLE, specialist_cookie)
        assert await console.connect()
        await console.send({"type": "accept", "conversation": conversation_id})
        await console.recv_type("conversation")

        async def specialist_says(text: str) -> int:
            frame = {"type": "message", "conversation": conversation_id, "body": text}
            await console.send({**frame, "client_id": text})
            return (await console.recv_type("ack"))["seq"]

        await forget_group(conversation_group(conversation_id))
        lost = await specialist_says("lost")
        assert lost == 2
        # The broadcast went nowhere: the customer's socket hears nothing of it...
        while not await chat.nothing(0.5):
            assert (await chat.recv())["type"] != "message"
        # ...until its heartbeat: the pong says how far the chat goes, so the client asks.
        await chat.send({"type": "ping"})
        assert (await chat.recv_type("pong"))["seqs"] == {str(conversation_id): 2}
        await chat.send({"type": "resume", "after_seq": 1})
        resumed = await chat.recv_type("history")
        assert [m["body"] for m in resumed["messages"]] == ["lost"]
        # The heartbeat also put the socket back in its groups: live delivery again.
        assert await specialist_says("live") == 3
        live = await chat.recv_type("message")
        assert (live["message"]["body"], live["message"]["seq"]) == ("live", 3)

        await console.send({"type": "ping"})
        pong = await console.recv_type("pong")
        assert pong["seqs"] == {str(conversation_id): 3} and pong["presence"] == "online"
        # The console's catch-up comes as its own frame type, so the console merges it
        # without switching to that chat.
        await console.send({"type": "history", "conversation": conversation_id, "after_seq": 1})
        page = await console.recv_type("page")
        assert [m["seq"] for m in page["messages"]] == [2, 3]
        await chat.close()
        await console.close()

    run(body)


def test_a_long_chat_still_opens_with_its_newest_messages(customer, specialist):
    """Daphne refuses frames over 1 MiB: a chat of a few hundred long messages made the
    console's state (and a customer's resume) too big, and the console could not connect.
    They now carry the newest messages that fit, and say where those begin."""
    conversation, _ = services.conversation_start(customer=customer, topic="Logs", body="first")
    services.conversation_accept(conversation_id=conversation.pk, specialist=specialist)
    # 300 pasted-log messages of 4,000 characters: ~7 MB of JSON (Japanese is 6 bytes each).
    for n in range(2, 302):
        services.message_store(
            conversation_id=conversation.pk, sender=customer, items=[(f"{n} " + "ログ" * 1998, "")]
        )
    customer_cookie, specialist_cookie = session_cookie(customer), session_cookie(specialist)

    async def body():
        console = Socket(CONSOLE, specialist_cookie)
        assert await console.connect()
        held = (await console.recv_type("state"))["held"][0]
        chat = Socket(CUSTOMER, customer_cookie)
        assert await chat.connect()
        await chat.send({"type": "resume", "after_seq": 0})
        history = await chat.recv_type("history")
        # A client that holds up to 290 asks for the rest: a small resume is whole.
        await chat.send({"type": "resume", "after_seq": 290})
        rest = await chat.recv_type("history")
        await console.close()
        await chat.close()
        return held, history, rest

    held, history, rest = run(body)
    for frame in (held, history):
        seqs = [m["seq"] for m in frame["messages"]]
        assert seqs == list(range(frame["from_seq"], 302))  # the newest, in order, no gap
        assert frame["from_seq"] > 2 and len(json.dumps(frame)) < 1_000_000
    assert [m["seq"] for m in rest["messages"]] == list(range(291, 302))
    assert rest["from_seq"] is None  # nothing left out


def test_on_postgresql_a_message_is_stored_and_announced_from_the_event_loop(customer, specialist):
    """The write from the event loop (no database thread) stores like message_store,
    announces once stored, and leaves every other case to message_store: a resend, a
    stranger."""
    from django.db import connection

    from chat.services.messages import _store_on_loop

    async def direct(sender, body, client_id=""):
        stored = await _store_on_loop(
            conversation_id=conversation.pk, sender=sender, items=[(body, client_id)]
        )
        return stored[0] if stored else None

    conversation, _ = services.conversation_start(customer=customer, topic="Direct", body="one")
    services.conversation_accept(conversation_id=conversation.pk, specialist=specialist)
    stranger = SuperAdminFactory()

    async def body():
        layer = get_channel_layer()
        listener = await layer.new_channel()
        await layer.group_add(conversation_group(conversation.pk), listener)
        stored = await direct(specialist, "two", "d2")
        heard = await asyncio.wait_for(layer.receive(listener), 5) if stored else None
        resent = await direct(specialist, "two", "d2")
        foreign = await direct(stranger, "let me in")
        await layer.group_discard(conversation_group(conversation.pk), listener)
        return stored, heard, resent, foreign

    stored, heard, resent, foreign = run(body)
    bodies = list(Message.objects.filter(conversation=conversation).values_list("body", flat=True))
    if connection.vendor != "postgresql":  # SQLite: always the ORM path
        assert (stored, resent, foreign) == (None, None, None) and bodies == ["one"]
        return
    assert (stored.seq, stored.sender_role, stored.client_id) == (2, "specialist", "d2")
    assert heard["type"] == "chat.message" and heard["message"]["seq"] == 2
    assert resent is None and foreign is None  # message_store decides these
    assert sorted(bodies) == ["one", "two"]
    conversation.refresh_from_db()
    assert conversation.last_seq == 2 and conversation.answered_at is not None


def test_an_event_for_a_socket_the_client_just_closed_is_dropped_quietly():
    """A reload closes the socket while a group event (typing, say) is on its way: Daphne's
    WebSocket refuses the send, and that used to end the consumer with an application
    error in the log. The disconnect that follows ends it instead."""
    from autobahn.exception import Disconnected

    consumer = consumers.ChatSocket()

    async def closed(message):
        raise Disconnected("Attempt to send on a closed protocol")

    consumer.base_send = closed

    async def body():
        await consumer.chat_message({"message": {"seq": 1, "body": "late"}})

    run(body)


def test_a_resume_counted_in_an_ended_chat_gets_the_new_chat_from_its_start(customer, specialist):
    """A tab was offline while its chat ended and the customer began another in a second
    tab: its resume counts in the old chat, so the new one comes whole, not from seq 4."""
    old, _ = services.conversation_start(customer=customer, topic="Old", body="o1")
    services.conversation_accept(conversation_id=old.pk, specialist=specialist)
    for body in ("o2", "o3", "o4"):
        services.message_store(conversation_id=old.pk, sender=customer, items=[(body, "")])
    services.conversation_end(conversation_id=old.pk, actor=customer)
    new, _ = services.conversation_start(customer=customer, topic="New", body="n1")
    services.conversation_accept(conversation_id=new.pk, specialist=specialist)
    for body in ("n2", "n3", "n4", "n5"):
        services.message_store(conversation_id=new.pk, sender=specialist, items=[(body, "")])
    cookie = session_cookie(customer)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        assert await chat.connect()
        await chat.send({"type": "resume", "after_seq": 4, "conversation": old.pk})
        stale = await chat.recv_type("history")
        await chat.send({"type": "resume", "after_seq": 4, "conversation": new.pk})
        current = await chat.recv_type("history")
        await chat.send({"type": "resume", "after_seq": 0, "conversation": "x"})
        bad = await chat.recv_type("error")
        await chat.close()
        return stale, current, bad

    stale, current, bad = run(body)
    assert stale["conversation"]["id"] == new.pk
    assert [m["body"] for m in stale["messages"]] == ["n1", "n2", "n3", "n4", "n5"]
    assert [m["body"] for m in current["messages"]] == ["n5"]
    assert bad["code"] == "malformed"
