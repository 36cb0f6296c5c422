"""Long chats in the browser: both sides miss 450 messages (their broadcasts went
nowhere) and resume all of them, in pages, in order, once; a reload opens with the newest
page and reaches the earlier ones; an end the pages never heard of shows on resume."""

import redis
from playwright.sync_api import expect

from accounts.models import User
from chat import services
from chat.models import Conversation
from tests.browser.test_chat import _chat_accepted

MISSED = 450  # more than two pages of 200


def _seqs(locator) -> list[int]:
    return locator.evaluate_all("els => els.map(e => Number(e.dataset.seq))")


def _drop_pubsub(portal) -> None:
    """Redis drops the portal's subscriber connection: the sockets close with 4503 and the
    pages reconnect and resume, as after any drop."""
    client = redis.Redis.from_url(portal.env["REDIS_URL"])
    assert client.client_kill_filter(_type="pubsub") >= 1


def test_pages_behind_by_450_resume_them_all_and_a_reload_reaches_earlier_ones(
    portal, browser, screenshot
):
    specialist_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    customer_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    specialist_ctx.set_default_timeout(15_000)
    customer_ctx.set_default_timeout(15_000)
    try:
        agent, customer, dialog = _chat_accepted(portal, specialist_ctx, customer_ctx)
        conversation = Conversation.objects.get(customer__email="admin@acme.example")
        ada = User.objects.get(email="admin@acme.example")
        sam = conversation.specialist
        # Stored by this process, announced on its own channel layer: the portal's
        # sockets never hear of them, like broadcasts lost in an outage.
        for start in range(2, MISSED + 2, 150):
            sender = ada if start % 300 == 2 else sam
            items = [(f"missed {n}", f"m{n}") for n in range(start, start + 150)]
            services.message_store(conversation_id=conversation.pk, sender=sender, items=items)
        total = MISSED + 1
        _drop_pubsub(portal)

        log = dialog.locator(".chat-log .chat-msg")
        expect(log).to_have_count(total, timeout=30_000)
        assert _seqs(log) == list(range(1, total + 1))
        expect(log.last.locator(".chat-body")).to_have_text(f"missed {total}")
        console_log = agent.locator(".console-log .chat-msg")
        expect(console_log).to_have_count(total, timeout=30_000)
        assert _seqs(console_log) == list(range(1, total + 1))
        expect(agent.locator(".console-log .chat-earlier")).to_have_count(0)
        screenshot(customer, "customer-resumed")

        # A reload opens with the newest page; earlier pages come on asking.
        customer.reload()
        dialog = customer.get_by_role("dialog", name="How can we help?")
        log = dialog.locator(".chat-log .chat-msg")
        expect(log).to_have_count(200)
        assert _seqs(log) == list(range(total - 199, total + 1))
        earlier = dialog.get_by_role("button", name="Show earlier messages")
        earlier.click()
        expect(log).to_have_count(400)
        earlier.click()
        expect(log).to_have_count(total)
        expect(earlier).to_have_count(0)
        assert _seqs(log) == list(range(1, total + 1))

        agent.reload()
        console_log = agent.locator(".console-log .chat-msg")
        expect(console_log).to_have_count(200)
        agent.get_by_role("button", name="Show earlier messages").click()
        expect(console_log).to_have_count(400)
        assert _seqs(console_log) == list(range(total - 399, total + 1))
        screenshot(agent, "console-earlier")

        # The chat ends where neither page hears it: each learns it on its resume.
        services.conversation_end(conversation_id=conversation.pk, actor=sam)
        _drop_pubsub(portal)
        expect(dialog.get_by_text("The specialist ended the chat.")).to_be_visible(timeout=30_000)
        expect(agent.locator(".console-log .chat-system")).to_have_text(
            "You ended the chat.", timeout=30_000
        )
        expect(agent.locator("[data-console-compose]")).to_be_hidden()
    finally:
        specialist_ctx.close()
        customer_ctx.close()
