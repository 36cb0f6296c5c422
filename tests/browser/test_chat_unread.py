"""A specialist replies while the customer's help dialog is closed: a count on the Help
button and in the tab title, a preview near the button; Help opens on the live chat,
and then the specialist reads "Seen" (and the customer reads "Seen" on theirs)."""

import re

from playwright.sync_api import expect

from tests.browser.test_chat import _chat_accepted


def test_a_reply_with_the_dialog_closed_shows_badge_title_preview_then_seen(
    portal, browser, screenshot
):
    specialist_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    customer_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    specialist_ctx.set_default_timeout(10_000)
    customer_ctx.set_default_timeout(10_000)
    try:
        agent, customer, dialog = _chat_accepted(portal, specialist_ctx, customer_ctx)
        # The specialist had the chat on screen: the customer's first message is Seen.
        expect(dialog.locator(".chat-msg-customer .chat-tick")).to_contain_text("Seen")
        title = customer.title()
        dialog.get_by_role("button", name="Close help").click()
        expect(dialog).to_be_hidden()

        agent.locator("#console-input").fill("Found it: the sender domain lost its DKIM key.")
        agent.locator("#console-input").press("Enter")
        help_button = customer.locator("#help-button")
        expect(help_button).to_have_accessible_name("Help, 1 unread messages")
        expect(help_button.locator(".help-badge")).to_have_text("1")
        expect(customer).to_have_title(f"(1) {title}")
        preview = customer.get_by_role("status").filter(has_text="New message from Sam")
        expect(preview).to_contain_text("Found it: the sender domain lost its DKIM key.")
        # Delivered to the customer's browser, but not seen: the dialog is closed.
        tick = agent.locator(".chat-msg-mine .chat-tick").last
        expect(tick).to_contain_text("Delivered")
        screenshot(customer, "badge-preview")

        agent.locator("#console-input").fill("I can re-create it for you.")
        agent.locator("#console-input").press("Enter")
        expect(help_button.locator(".help-badge")).to_have_text("2")
        expect(customer).to_have_title(f"(2) {title}")
        expect(preview).to_contain_text("I can re-create it for you.")
        preview.get_by_role("button", name="Dismiss").click()
        expect(customer.locator(".chat-preview")).to_have_count(0)
        expect(help_button).to_be_focused()

        # Help opens on the live chat, not on the search step.
        help_button.click()
        expect(dialog.get_by_role("status").first).to_have_text("Chatting with Sam")
        expect(dialog.locator(".chat-log .chat-body").last).to_have_text(
            "I can re-create it for you."
        )
        expect(tick).to_contain_text("Seen")
        expect(agent.locator(".chat-msg-mine .chat-tick").first).to_contain_text("Seen")
        expect(help_button.locator(".help-badge")).to_be_hidden()
        expect(customer).to_have_title(title)
        expect(help_button).to_have_accessible_name("Help")
        assert dialog.locator(".chat-log").get_attribute("aria-live") == "polite"
        screenshot(agent, "console-seen")
        screenshot(customer, "dialog-reopened")
        assert re.match(r"^\(\d+\) ", customer.title()) is None
    finally:
        specialist_ctx.close()
        customer_ctx.close()
