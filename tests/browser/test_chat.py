"""Premium chat in two browsers, a customer and a specialist, served by a real Daphne
(WebSockets) with its own Redis, including a reload of the customer's page mid-chat."""

import re

import redis
from playwright.sync_api import expect

from accounts.models import User
from tests.chat.conftest import session_cookie


def _login(page, url: str, email: str) -> None:
    """Sign in with a session cookie: the test process hashes passwords with a fast test
    hasher the Daphne subprocess does not know, so the login form cannot be used here."""
    cookie = session_cookie(User.objects.get(email=email))
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": url}])
    page.goto(f"{url}/")


def _fill_chat_step(dialog, topic: str, message: str) -> None:
    step = dialog.locator('.help-step[data-step="chat"]')
    step.get_by_label("What is the chat about?").fill(topic)
    step.get_by_label("Your message").fill(message)


def _chat_accepted(portal, specialist_ctx, customer_ctx, screenshot=None):
    """A customer (Ada) starts a chat from the help dialog; the specialist (Sam) accepts it.
    Returns the specialist's page and the customer's dialog."""
    agent = specialist_ctx.new_page()
    _login(agent, portal.url, "agent@support.example")
    agent.goto(f"{portal.url}/chat/console/")
    expect(agent.locator("#chat-console")).to_have_attribute("data-connection", "open")

    customer = customer_ctx.new_page()
    _login(customer, portal.url, "admin@acme.example")
    customer.evaluate("PremiumDeskHelp.open('chat')")
    dialog = customer.get_by_role("dialog", name="How can we help?")
    expect(dialog.get_by_text("1 specialists online.")).to_be_visible()
    _fill_chat_step(dialog, "Workflow emails stopped", "Since 9:00 no workflow email goes out.")
    dialog.get_by_role("button", name="Send message").click()
    expect(dialog.get_by_role("status")).to_contain_text("You are number 1 in the queue.")
    expect(dialog.locator(".chat-msg-customer .chat-tick")).to_contain_text("Sent")
    if screenshot:
        screenshot(customer, "customer-waiting")

    waiting = agent.locator("[data-console-queue] li", has_text="Workflow emails stopped")
    expect(waiting).to_be_visible()
    waiting.get_by_role("button", name="Accept").click()
    expect(dialog.get_by_role("status")).to_have_text("Chatting with Sam")
    return agent, customer, dialog


def test_customer_and_specialist_chat_through_a_reload(portal, browser, screenshot):
    specialist_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    customer_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    specialist_ctx.set_default_timeout(10_000)
    customer_ctx.set_default_timeout(10_000)
    try:
        agent, customer, dialog = _chat_accepted(portal, specialist_ctx, customer_ctx, screenshot)
        expect(agent.locator("[data-customer-role]")).to_have_text("Super admin")
        expect(agent.locator("[data-customer-account]")).to_have_text("Acme Corp")

        agent.locator("#console-input").press_sequentially("Looking")
        expect(dialog.get_by_text("Sam is typing…")).to_be_visible()
        agent.locator("#console-input").fill("<b>Hi</b> Ada, looking at it now.")
        agent.locator("#console-input").press("Enter")
        expect(dialog.locator(".chat-msg-specialist .chat-body")).to_have_text(
            "<b>Hi</b> Ada, looking at it now."
        )
        # The customer had the chat on screen (the dialog open on it): the specialist
        # reads Seen, which follows Delivered.
        expect(agent.locator(".chat-msg-mine .chat-tick")).to_contain_text("Seen")

        customer.reload()
        dialog = customer.get_by_role("dialog", name="How can we help?")
        expect(dialog).to_be_visible()  # the chat resumes on its own after a reload
        bodies = dialog.locator(".chat-log .chat-body")
        expect(bodies).to_have_text(
            ["Since 9:00 no workflow email goes out.", "<b>Hi</b> Ada, looking at it now."]
        )
        composer = dialog.locator('.help-step[data-step="chat"]').get_by_label(
            "Message", exact=True
        )
        composer.fill("Thanks! It affects all 12 workflows.")
        composer.press("Enter")
        expect(agent.locator(".console-log .chat-body").last).to_have_text(
            "Thanks! It affects all 12 workflows."
        )
        expect(dialog.locator(".chat-msg-customer .chat-tick").last).to_contain_text("Seen")
        expect(dialog.locator(".chat-log .chat-body")).to_have_count(3)
        screenshot(customer, "customer-active")
        screenshot(agent, "console")

        agent.once("dialog", lambda d: d.accept())
        agent.get_by_role("button", name="Turn into a ticket").click()
        expect(agent.get_by_role("link", name="Ticket #")).to_have_attribute(
            "href", re.compile(r"/admin/tickets/ticket/\d+/change/")
        )
        screenshot(agent, "console-ticket")
        agent.once("dialog", lambda d: d.accept())
        agent.get_by_role("button", name="End chat").click()
        expect(dialog.get_by_text("The specialist ended the chat.")).to_be_visible()
        screenshot(customer, "customer-ended")
    finally:
        specialist_ctx.close()
        customer_ctx.close()


def test_with_no_specialist_online_the_customer_is_offered_email_with_what_they_wrote(
    portal, page, screenshot
):
    _login(page, portal.url, "user@acme.example")
    page.evaluate(
        """() => PremiumDeskHelp.dialog.addEventListener('help:step',
              e => { window.lastStep = e.detail; })"""
    )
    page.evaluate("PremiumDeskHelp.open('chat')")
    dialog = page.get_by_role("dialog", name="How can we help?")
    expect(dialog.get_by_text("No specialist is online right now.")).to_be_visible()
    _fill_chat_step(dialog, "Import <CSV> fails", "Row 12 is rejected.\nWhy?")
    screenshot(page, "offer")
    dialog.get_by_role("button", name="Use Premium email support instead").click()
    assert page.evaluate("window.lastStep") == {
        "step": "email",
        "data": {"subject": "Import <CSV> fails", "description": "Row 12 is rejected.\nWhy?"},
    }


def test_the_chat_goes_on_when_redis_drops_the_portals_connection(portal, browser, screenshot):
    """Redis drops the connection that carries the portal's chat events mid-chat. The
    sockets are told to resume (or, had a broadcast been lost without a word, each
    side's heartbeat, 25 s customer and 20 s console, fetches what it missed): both
    sides see every message, once, and keep talking."""
    specialist_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    customer_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    specialist_ctx.set_default_timeout(10_000)
    customer_ctx.set_default_timeout(10_000)
    try:
        agent, customer, dialog = _chat_accepted(portal, specialist_ctx, customer_ctx)
        # Redis drops the portal's subscriber connection (a restart or failover does):
        # the layer re-subscribes and tells the sockets, whose clients resume.
        client = redis.Redis.from_url(portal.env["REDIS_URL"])
        assert client.client_kill_filter(_type="pubsub") >= 1

        agent.locator("#console-input").fill("Sent while Redis forgot the chat.")
        agent.locator("#console-input").press("Enter")
        expect(agent.locator(".console-log .chat-body").last).to_have_text(
            "Sent while Redis forgot the chat.", timeout=30_000
        )
        bodies = dialog.locator(".chat-log .chat-body")
        expect(bodies.last).to_have_text("Sent while Redis forgot the chat.", timeout=30_000)
        composer = dialog.locator('.help-step[data-step="chat"]').get_by_label(
            "Message", exact=True
        )
        composer.fill("Got it.")
        composer.press("Enter")
        expect(agent.locator(".console-log .chat-body").last).to_have_text(
            "Got it.", timeout=30_000
        )
        expect(bodies).to_have_count(3)
        screenshot(customer, "customer-after-lost-broadcast")
    finally:
        specialist_ctx.close()
        customer_ctx.close()
