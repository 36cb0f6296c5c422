"""The staff inbox in browsers served by a real Daphne (it follows the staff socket): a
specialist lands on it, sees a new chat, ticket and callback appear live with a count in
the tab title and claims each; a lead sees a breach appear."""

import re
import shutil
import threading
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from chat.services import conversation_start
from helpdesk.callbacks.services import callback_request_create
from helpdesk.core.channel_layer import TolerantPubSubChannelLayer
from helpdesk.tickets.models import Ticket
from sla.sweep import run_sweep
from tests.browser.test_chat import _login
from tests.factories import ticket_for

SHOTS = Path("/tmp/shots")


def _as_the_portal(portal, service, *args, **kwargs):
    """Run a service as a worker of the portal would: in a thread without an event loop
    (Playwright's loop runs in this one), sending its events to the portal's Redis."""
    from channels.layers import channel_layers

    answer: dict = {}

    def run() -> None:
        layer = TolerantPubSubChannelLayer(hosts=[{"address": portal.env["REDIS_URL"]}])
        previous = channel_layers.set("default", layer)
        try:
            answer["value"] = service(*args, **kwargs)
        finally:
            channel_layers.set("default", previous)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return answer.get("value")


def _connected(page) -> None:
    expect(page.locator("html")).to_have_attribute("data-staff-alerts", "connected")


def test_a_specialist_sees_new_items_live_and_claims_them_and_a_lead_sees_a_breach(
    portal, browser, screenshot
):
    ada = User.objects.get(email="admin@acme.example")
    sam_ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    lee_ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    try:
        sam = sam_ctx.new_page()
        sam.set_default_timeout(15_000)
        _login(sam, portal.url, "agent@support.example")
        # The landing page after login.
        expect(sam).to_have_url(f"{portal.url}/admin/inbox/")
        expect(sam.get_by_role("heading", name="Inbox")).to_be_visible()
        expect(sam.get_by_text("Nothing waits.")).to_be_visible()
        expect(sam.get_by_role("link", name="Chat console")).to_be_visible()
        _connected(sam)
        expect(sam).to_have_title(re.compile(r"^Inbox"))  # nothing waits: no count

        _as_the_portal(portal, conversation_start, customer=ada, topic="Login loop", body="Hi")
        chat_row = sam.get_by_role("row", name=re.compile("Login loop"))
        expect(chat_row).to_contain_text("Chat")
        expect(chat_row).to_contain_text("Acme Corp")
        expect(sam).to_have_title(re.compile(r"^\(1\) Inbox"))
        _as_the_portal(portal, ticket_for, ada, subject="Invoices missing")
        ticket_row = sam.get_by_role("row", name=re.compile("Invoices missing"))
        expect(ticket_row).to_contain_text("Ticket")
        expect(ticket_row).to_contain_text("Super admin")
        _as_the_portal(
            portal, callback_request_create, requester=ada, phone="+14155550101", topic="Call me"
        )
        callback_row = sam.get_by_role("row", name=re.compile("Call me"))
        expect(callback_row).to_contain_text("Callback")
        expect(sam).to_have_title(re.compile(r"^\(3\) Inbox"))
        assert (
            sam.locator("html")
            .get_attribute("data-staff-last-notice")
            .startswith("New callback request")
        )
        screenshot(sam, "inbox")
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(screenshot(sam, "inbox-full"), SHOTS / "inbox.png")
        # It beeped; the sound can be switched off, and stays off after a reload.
        assert int(sam.locator("html").get_attribute("data-staff-beeps") or 0) >= 1
        # Desktop notifications are asked for with the button, never on load.
        assert sam.evaluate("Notification.permission") == "default"
        expect(sam.get_by_role("button", name="Desktop notifications")).to_be_visible()
        sam.get_by_role("button", name="Sound on").click()
        expect(sam.get_by_role("button", name="Sound off")).to_have_attribute(
            "aria-pressed", "false"
        )
        sam.reload()
        _connected(sam)
        expect(sam.get_by_role("button", name="Sound off")).to_be_visible()
        callback_row = sam.get_by_role("row", name=re.compile("Call me"))
        # Waited counts up live.
        waited = callback_row.locator("[data-waiting-since]")
        first = waited.inner_text()
        expect(waited).not_to_have_text(first, timeout=3000)

        for row in (chat_row, ticket_row, callback_row):
            row.get_by_role("button", name="Claim").click()
            expect(row).to_contain_text("Sam Specialist")
            expect(row.get_by_role("button", name="Claim")).to_have_count(0)
        sam.emulate_media(color_scheme="dark")
        shutil.copy(screenshot(sam, "claimed-dark"), SHOTS / "inbox-dark.png")
        sam.emulate_media(color_scheme="light")
        ticket = Ticket.objects.get(subject="Invoices missing")
        assert ticket.assignee.email == "agent@support.example"

        lee = lee_ctx.new_page()
        lee.set_default_timeout(15_000)
        _login(lee, portal.url, "lead@support.example")
        expect(lee).to_have_url(f"{portal.url}/admin/inbox/")
        _connected(lee)
        late = ticket_for(ada, subject="Checkout down")
        expect(lee.get_by_role("row", name=re.compile("Checkout down"))).to_have_count(0)
        past = timezone.now() - timedelta(minutes=1)
        Ticket.objects.filter(pk=late.pk).update(due_at=past, sla_next_check_at=past)
        _as_the_portal(portal, run_sweep)
        alert = lee.locator(".staff-alert-breached")
        expect(alert).to_contain_text("SLA breached")
        expect(alert).to_contain_text("Checkout down")
        row = lee.get_by_role("row", name=re.compile("Checkout down"))
        expect(row).to_contain_text("over")
        screenshot(lee, "breach")
    finally:
        sam_ctx.close()
        lee_ctx.close()
