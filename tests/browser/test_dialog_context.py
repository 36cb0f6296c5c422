"""The help dialog keeps the thread (issue 17, items 2 to 4), in Chromium: the question
becomes the ticket subject; the home lists the customer's ticket; with no specialist
online the email offer comes first, and a chat nobody joins becomes a ticket, which the
waiting customer is told live."""

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from chat.models import Conversation
from helpdesk.tickets.models import Ticket
from tests.browser.test_chat import _login

SHOTS = "/tmp/shots"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_question_becomes_the_subject_and_the_home_lists_the_ticket(
    live_server, demo, page, login, screenshot
):
    login(page, "admin@acme.example")
    page.get_by_role("button", name="Help", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox", name="Ask a question").fill("Workflow emails stopped sending")
    dialog.get_by_role("button", name="Contact us").click()
    dialog.get_by_role("button", name=re.compile("Premium email support")).click()
    subject = dialog.get_by_label("Subject")
    expect(subject).to_have_value("Workflow emails stopped sending")
    subject.fill("Workflow emails stopped sending since 9:00")  # still editable
    dialog.get_by_label("Describe the problem").fill("Nothing has gone out this morning.")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.locator("#ticket-confirmation")).to_be_visible()
    ticket = Ticket.objects.get()
    assert ticket.subject == "Workflow emails stopped sending since 9:00"

    page.keyboard.press("Escape")
    page.get_by_role("button", name="Help", exact=True).click()
    home = dialog.get_by_role("region", name="Your conversations")
    item = home.get_by_role("link", name=re.compile("Workflow emails stopped sending since 9:00"))
    expect(item).to_be_visible()
    expect(home).to_contain_text(f"Ticket #{ticket.pk}")
    expect(home).to_contain_text("New")
    screenshot(page, "home")
    item.click()
    page.wait_for_url(f"{live_server.url}/tickets/{ticket.pk}/")


def _convert_in_a_thread(redis_url: str) -> dict:
    """The beat task's work, run as a worker would: in its own thread (Playwright holds
    an event loop in this one) with the portal's channel layer, so the customer's socket
    hears of it."""
    from chat.services.unanswered import conversations_unanswered_convert

    layers = {
        "default": {
            "BACKEND": "helpdesk.core.channel_layer.TolerantPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": redis_url}]},
        }
    }

    def run():
        try:
            with override_settings(CHANNEL_LAYERS=layers):
                return conversations_unanswered_convert()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def test_with_nobody_online_email_comes_first_and_an_unanswered_chat_becomes_a_ticket(
    portal, browser, screenshot
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        _login(page, portal.url, "admin@acme.example")
        page.get_by_role("button", name="Help", exact=True).click()
        dialog = page.get_by_role("dialog", name="How can we help?")
        dialog.get_by_role("combobox", name="Ask a question").fill("Reports export is empty")
        dialog.get_by_role("button", name="Contact us").click()
        dialog.get_by_role("button", name=re.compile("Premium chat")).click()
        step = dialog.locator('.help-step[data-step="chat"]')
        expect(step.get_by_label("What is the chat about?")).to_have_value(
            "Reports export is empty"
        )
        # Email first: the offer above the form, its button the primary one; the chat
        # is the second choice and says what happens if nobody joins.
        offer = step.locator("[data-chat-offer]")
        expect(offer).to_contain_text("No specialist is online right now.")
        email = offer.get_by_role("button", name="Use Premium email support instead")
        expect(email).to_have_class(re.compile(r"\bprimary\b"))
        assert offer.bounding_box()["y"] < step.locator("[data-chat-start]").bounding_box()["y"]
        expect(step).to_contain_text(
            "If no specialist joins within 5 minutes, your chat becomes an email ticket"
        )
        send = step.get_by_role("button", name="Send as a chat anyway")
        expect(send).not_to_have_class(re.compile(r"\bprimary\b"))
        step.get_by_label("Your message").fill("The CSV has headers only.")
        screenshot(page, "email-first")
        send.click()
        expect(dialog.get_by_role("status").first).to_contain_text("You are number 1 in the queue.")
        expect(step.locator("[data-chat-wait-note]")).to_contain_text(
            "we answer you by email instead"
        )

        # Time travel: six minutes later nobody has joined; the beat task runs.
        Conversation.objects.update(created_at=timezone.now() - timedelta(minutes=6))
        assert _convert_in_a_thread(portal.env["REDIS_URL"]) == {"converted": 1}
        ticket = Ticket.objects.get()
        assert ticket.subject == "Reports export is empty"
        ended = step.locator("[data-chat-ended]")
        expect(ended).to_contain_text(f"your chat is now ticket #{ticket.pk}")
        expect(offer).to_be_hidden()
        screenshot(page, "to-email")
        ended.get_by_role("link", name="View the ticket").click()
        page.wait_for_url(f"{portal.url}/tickets/{ticket.pk}/")
        expect(page.get_by_role("main")).to_contain_text("The CSV has headers only.")
    finally:
        context.close()
