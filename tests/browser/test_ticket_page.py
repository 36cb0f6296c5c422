"""The ticket page for working, in two browsers served by a real Daphne (the collision
notice is a WebSocket): a specialist replies with a macro and Ctrl+Enter while a lead on
the same ticket sees who is viewing and typing."""

import re

from playwright.sync_api import expect

from accounts.models import User
from helpdesk.tickets.models import Ticket, TicketStatus
from tests.browser.test_chat import _login
from tests.factories import ticket_for


def test_a_specialist_replies_with_a_macro_and_a_second_one_sees_the_collision_notice(
    portal, browser, screenshot
):
    ada = User.objects.get(email="admin@acme.example")
    ticket = ticket_for(ada, subject="Checkout returns 500", description="Every checkout fails.")
    url = f"{portal.url}/admin/tickets/ticket/{ticket.pk}/change/"
    sam_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    lee_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        sam = sam_ctx.new_page()
        sam.set_default_timeout(15_000)
        _login(sam, portal.url, "agent@support.example")
        sam.goto(url)
        thread = sam.get_by_role("region", name="Conversation")
        expect(thread.locator(".ws-msg").first).to_contain_text("Every checkout fails.")
        expect(sam.get_by_role("tab", name="Reply")).to_have_attribute("aria-selected", "true")
        expect(sam.get_by_text("This reply stops the first-reply clock.")).to_be_visible()
        expect(sam.locator("#ws-sla-left")).to_contain_text("left")

        lee = lee_ctx.new_page()
        lee.set_default_timeout(15_000)
        _login(lee, portal.url, "lead@support.example")
        lee.goto(url)
        notice = lee.get_by_role("status").filter(has_text="Sam Specialist")
        expect(notice).to_contain_text("Sam Specialist is viewing this ticket")
        expect(sam.get_by_role("status").filter(has_text="Lee Lead")).to_contain_text(
            "Lee Lead is viewing this ticket"
        )

        # The internal-note tab changes what the composer says about the clock.
        sam.get_by_role("tab", name="Internal note").click()
        expect(sam.get_by_text("An internal note does not stop the clock.")).to_be_visible()
        sam.get_by_role("tab", name="Reply").click()

        sam.get_by_role("combobox", name="Insert a macro").fill("details")
        option = sam.get_by_role("option", name="Need more details")
        expect(option).to_be_visible()
        screenshot(sam, "macro-picker")
        option.click()
        body = sam.get_by_role("textbox", name="Reply to the customer")
        expect(body).to_have_value(
            re.compile(rf"^Hello Ada Admin,\n\nTo move ticket #{ticket.pk} ")
        )
        expect(
            sam.get_by_text("Sending will also set the status to Waiting on customer.")
        ).to_be_visible()
        body.press("End")
        body.type(" Thanks!")
        expect(notice).to_contain_text("Sam Specialist is typing a reply")
        screenshot(lee, "collision")
        body.press("Control+Enter")
        expect(sam.locator(".messagelist")).to_contain_text("Reply sent.")
        reply = ticket.replies.get()
        assert reply.body.startswith(f"Hello Ada Admin,\n\nTo move ticket #{ticket.pk} forward")
        assert reply.body.endswith("Thanks!")
        ticket.refresh_from_db()
        assert ticket.answered_at is not None
        assert ticket.status == TicketStatus.WAITING_ON_CUSTOMER
        thread = sam.get_by_role("region", name="Conversation")
        expect(thread.locator(".ws-msg").nth(1)).to_contain_text("Thanks!")
        expect(sam.locator("#ws-sla")).to_contain_text("sent")
        screenshot(sam, "after-reply")
        assert Ticket.objects.get(pk=ticket.pk).events.filter(kind="first_reply").count() == 1
    finally:
        sam_ctx.close()
        lee_ctx.close()
