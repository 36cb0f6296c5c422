"""Resume pages back over the sockets: a client behind by any number of messages gets
them all, in pages, in order, each once; and a side that missed the live "ended" event
learns from its resume that the chat ended, and who ended it."""

import json
import time

import pytest

from chat import selectors, services
from tests.chat.conftest import Socket, run_async, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = "/ws/chat/"
CONSOLE = "/ws/chat/console/"
BEHIND = 1_000


def _long_chat(customer, specialist, held: int):
    """A chat whose clients hold messages 1..held, then 1,000 more, in batches of 250
    from each side in turn."""
    conversation, _ = services.conversation_start(customer=customer, topic="Logs", body="m1")
    services.conversation_accept(conversation_id=conversation.pk, specialist=specialist)
    batches = [range(2, held + 1)]
    batches += [range(n, n + 250) for n in range(held + 1, held + BEHIND + 1, 250)]
    for i, batch in enumerate(batches):
        sender = customer if i % 2 == 0 else specialist
        items = [(f"m{n}", f"k{n}") for n in batch]
        if items:
            services.message_store(conversation_id=conversation.pk, sender=sender, items=items)
    conversation.refresh_from_db()
    assert conversation.last_seq == held + BEHIND
    return conversation


async def _page_through(sock: Socket, first: dict, ask: dict) -> tuple[list[dict], int]:
    """Follow "more" to the end, as the clients do; every frame under Daphne's 1 MiB."""
    messages, frames, page = list(first["messages"]), 1, first
    while page["more"]:
        assert page["next_after"] == page["messages"][-1]["seq"]
        await sock.send({**ask, "type": "history", "after_seq": page["next_after"]})
        page = await sock.recv_type("page")
        assert len(json.dumps(page)) < 1_000_000
        assert len(page["messages"]) <= selectors.HISTORY_MESSAGES
        messages += page["messages"]
        frames += 1
    return messages, frames


def test_a_customer_1000_messages_behind_resumes_all_of_them_in_order_once(customer, specialist):
    held = 5
    conversation = _long_chat(customer, specialist, held)
    cookie = session_cookie(customer)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        assert await chat.connect()
        started = time.perf_counter()
        await chat.send({"type": "resume", "after_seq": held, "conversation": conversation.pk})
        first = await chat.recv_type("history")
        assert first["more"] is True and first["from_seq"] is None
        messages, frames = await _page_through(chat, first, {})
        elapsed = time.perf_counter() - started
        await chat.close()
        return messages, frames, elapsed

    messages, frames, elapsed = run_async(body)
    seqs = [m["seq"] for m in messages]
    assert seqs == list(range(held + 1, held + BEHIND + 1))  # all, in order, each once
    assert [m["body"] for m in messages] == [f"m{n}" for n in seqs]
    assert frames == BEHIND // selectors.HISTORY_MESSAGES
    print(f"customer resume of {BEHIND} messages: {elapsed * 1000:.0f} ms in {frames} frames")


def test_a_console_1000_messages_behind_pages_each_chat_after_its_state(customer, specialist):
    """The console's state carries the newest page of each chat it holds; a console that
    held 1..5 asks for the pages after 5 and closes the gap, whatever its size."""
    held = 5
    conversation = _long_chat(customer, specialist, held)
    cookie = session_cookie(specialist)

    async def body():
        console = Socket(CONSOLE, cookie)
        assert await console.connect()
        state = (await console.recv_type("state"))["held"][0]
        ask = {"conversation": conversation.pk}
        await console.send({**ask, "type": "history", "after_seq": held})
        first = await console.recv_type("page")
        assert first["conversation"]["id"] == conversation.pk
        messages, frames = await _page_through(console, first, ask)
        await console.close()
        return state, messages, frames

    state, messages, frames = run_async(body)
    assert state["from_seq"] > held + 1  # the newest page only: the gap is real
    assert [m["seq"] for m in messages] == list(range(held + 1, held + BEHIND + 1))
    assert frames == BEHIND // selectors.HISTORY_MESSAGES


def test_a_customer_opening_a_long_chat_gets_the_newest_page_and_can_reach_earlier_ones(
    customer, specialist
):
    conversation = _long_chat(customer, specialist, 1)
    cookie = session_cookie(customer)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        assert await chat.connect()
        await chat.send({"type": "resume", "after_seq": 0})
        first = await chat.recv_type("history")
        pages = [first]
        while pages[-1]["from_seq"]:
            await chat.send({"type": "history", "before_seq": pages[-1]["from_seq"]})
            pages.append(await chat.recv_type("earlier"))
        # Someone else's chat is refused, like any other frame naming it.
        await chat.send({"type": "history", "conversation": conversation.pk + 1000})
        refused = await chat.recv_type("error")
        await chat.close()
        return pages, refused

    pages, refused = run_async(body)
    assert pages[0]["more"] is False and pages[0]["messages"][-1]["seq"] == 1 + BEHIND
    seqs = [m["seq"] for page in reversed(pages) for m in page["messages"]]
    assert seqs == list(range(1, 2 + BEHIND))
    assert refused["code"] == "forbidden"


def test_a_customer_who_missed_the_end_learns_it_and_who_ended_it_on_resume(customer, specialist):
    """The specialist's last words and the end happened while the customer's socket was
    away (a dropped connection, or Redis gone so the "ended" event went nowhere): the
    resume says the chat ended, by the specialist, with the messages it missed."""
    conversation, _ = services.conversation_start(customer=customer, topic="Bye", body="m1")
    services.conversation_accept(conversation_id=conversation.pk, specialist=specialist)
    services.message_store(
        conversation_id=conversation.pk, sender=specialist, items=[("Fixed, bye", "")]
    )
    services.conversation_end(conversation_id=conversation.pk, actor=specialist)
    cookie = session_cookie(customer)

    async def body():
        chat = Socket(CUSTOMER, cookie)
        assert await chat.connect()
        await chat.send({"type": "resume", "after_seq": 1, "conversation": conversation.pk})
        resumed = await chat.recv_type("history")
        await chat.send({"type": "message", "body": "hello?", "client_id": "late"})
        late = await chat.recv_type("error")
        await chat.close()
        return resumed, late

    resumed, late = run_async(body)
    assert resumed["conversation"]["id"] == conversation.pk
    assert resumed["conversation"]["status"] == "ended"
    assert resumed["conversation"]["ended_by"] == "specialist"
    assert [m["body"] for m in resumed["messages"]] == ["Fixed, bye"]
    assert "offer_email" in resumed["availability"]  # what a new chat would face
    assert late["code"] == "no_chat"  # the socket does not follow the ended chat


def test_a_console_that_missed_the_end_learns_it_from_the_chats_page(customer, specialist):
    conversation, _ = services.conversation_start(customer=customer, topic="Bye", body="m1")
    services.conversation_accept(conversation_id=conversation.pk, specialist=specialist)
    services.message_store(conversation_id=conversation.pk, sender=customer, items=[("ok", "")])
    services.conversation_end(conversation_id=conversation.pk, actor=customer)
    cookie = session_cookie(specialist)

    async def body():
        console = Socket(CONSOLE, cookie)
        assert await console.connect()
        state = await console.recv_type("state")
        # The console still shows the chat: it asks for what it lacks and gets its state.
        await console.send({"type": "history", "conversation": conversation.pk, "after_seq": 1})
        page = await console.recv_type("page")
        await console.close()
        return state, page

    state, page = run_async(body)
    assert state["held"] == []  # an ended chat is no longer held
    assert page["conversation"]["status"] == "ended"
    assert page["conversation"]["ended_by"] == "customer"
    assert [m["body"] for m in page["messages"]] == ["ok"]
