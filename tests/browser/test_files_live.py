"""Files, live: in the premium chat (two browsers: the customer attaches a screenshot in
the help dialog, the specialist sees it in the console and sends a file back, and after
a reload the customer's chat shows both, in order) and in the admin ticket composer (a
reply and an internal note with files, the thread showing every message's files). A
refused file is a clear message and leaves nothing behind."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from chat.models import Message, MessageAttachment
from helpdesk.core.files import Upload
from helpdesk.tickets.models import Attachment
from tests.browser.test_chat import _chat_accepted, _login
from tests.factories import ticket_for
from tests.tickets.test_attachments import PDF, png

SHOTS = Path("/tmp/shots")


@pytest.fixture
def portal(demo, tmp_path):
    """The demo served by Daphne with its own Redis and its own attachment folder."""
    from tests.chat.servers import DaphneServer, RedisServer

    redis = RedisServer().start()
    server = DaphneServer(
        redis.url,
        ATTACHMENTS_ROOT=str(tmp_path / "attachments"),
        ATTACHMENT_MAX_BYTES=str(200 * 1024),  # small enough to send a file over it
    ).start()
    server.wait()
    yield server
    server.stop()
    redis.stop()


def _loaded(locator) -> bool:
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


def test_a_screenshot_attached_in_the_dialog_chat_reaches_the_console_and_survives_a_reload(
    portal, browser, screenshot
):
    specialist_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    customer_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    specialist_ctx.set_default_timeout(10_000)
    customer_ctx.set_default_timeout(10_000)
    try:
        agent, customer, dialog = _chat_accepted(portal, specialist_ctx, customer_ctx)
        step = dialog.locator('.help-step[data-step="chat"]')
        attach = step.get_by_label("Attach a file")
        # Reached with the keyboard, right after the message box.
        step.get_by_label("Message", exact=True).focus()
        customer.keyboard.press("Tab")
        expect(attach).to_be_focused()

        # Refused: a "screenshot" that is a PDF, a program. A clear reason, nothing stored.
        attach.set_input_files(
            files=[{"name": "chart.png", "mimeType": "image/png", "buffer": b"%PDF-1.4 x"}]
        )
        expect(step.get_by_role("alert")).to_have_text(
            "chart.png was not sent: chart.png: the file's content does not match its name."
        )
        attach.set_input_files(
            files=[{"name": "fix.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}]
        )
        expect(step.get_by_role("alert")).to_contain_text("fix.exe was not sent: fix.exe")
        attach.set_input_files(
            files=[{"name": "big.log", "mimeType": "text/plain", "buffer": b"x" * 300 * 1024}]
        )
        expect(step.get_by_role("alert")).to_have_text(
            "big.log was not sent: big.log is larger than the limit of 200.0\xa0KB per file."
        )
        expect(step.locator(".chat-log .chat-msg")).to_have_count(1)
        assert not MessageAttachment.objects.exists()

        attach.set_input_files(
            files=[{"name": "chart.png", "mimeType": "image/png", "buffer": png()}]
        )
        expect(step.get_by_role("alert")).to_be_hidden()
        mine = step.locator(".chat-msg-customer").last
        expect(mine.locator(".chat-file")).to_contain_text("chart.png")
        expect(mine.get_by_role("img", name="chart.png")).to_be_visible()
        assert _loaded(mine.get_by_role("img", name="chart.png"))
        seen = agent.locator(".console-log .chat-file").last
        expect(seen).to_contain_text("chart.png")
        expect(seen.get_by_role("img", name="chart.png")).to_be_visible()
        assert _loaded(seen.get_by_role("img", name="chart.png"))
        stored = Message.objects.select_related("attachment").get(body="chart.png")
        assert stored.attachment.content_type == "image/png"
        expect(mine.locator(".chat-tick")).to_contain_text("Seen")
        SHOTS.mkdir(exist_ok=True)
        customer.screenshot(path=str(SHOTS / "chat-attach.png"))
        screenshot(agent, "console-with-customer-file")

        # The reverse: the specialist sends a log file; it arrives as a link.
        agent.locator("[data-console-attach]").set_input_files(
            files=[{"name": "steps.txt", "mimeType": "text/plain", "buffer": b"1. Open\n"}]
        )
        theirs = step.locator(".chat-msg-specialist .chat-file")
        expect(theirs).to_contain_text("steps.txt")
        assert theirs.get_attribute("href").startswith("/chat/attachments/")

        # A reload: the chat resumes with both files, in order, once each.
        customer.reload()
        dialog = customer.get_by_role("dialog", name="How can we help?")
        expect(dialog).to_be_visible()
        log = dialog.locator(".chat-log .chat-msg")
        expect(log).to_have_count(3)
        expect(log.nth(0)).to_contain_text("Since 9:00 no workflow email goes out.")
        expect(log.nth(1).locator(".chat-file")).to_contain_text("chart.png")
        expect(log.nth(2).locator(".chat-file")).to_contain_text("steps.txt")
        expect(log.nth(1).get_by_role("img", name="chart.png")).to_be_visible()
        assert MessageAttachment.objects.count() == 2

        # The transcript in the admin shows the files through the checked download view.
        agent.goto(f"{portal.url}/admin/chat/conversation/{stored.conversation_id}/change/")
        transcript = agent.locator("img.attachment-thumb")
        expect(transcript).to_have_count(1)
        assert _loaded(transcript)
        expect(agent.get_by_role("link", name="steps.txt")).to_be_visible()
        screenshot(agent, "transcript-with-files")
    finally:
        specialist_ctx.close()
        customer_ctx.close()


def test_the_composer_sends_a_reply_and_a_note_with_files_and_the_thread_shows_them(
    portal, browser, settings, tmp_path
):
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"  # the server's folder
    ada = User.objects.get(email="admin@acme.example")
    ticket = ticket_for(
        ada,
        subject="Chart is blank",
        description="The dashboard chart is blank, see the screenshot.",
        attachments=[Upload(name="blank-chart.png", content=png())],
    )
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        sam = context.new_page()
        sam.set_default_timeout(10_000)
        _login(sam, portal.url, "agent@support.example")
        sam.goto(f"{portal.url}/admin/tickets/ticket/{ticket.pk}/change/")
        thread = sam.get_by_role("region", name="Conversation")
        original = thread.locator(".ws-msg-original")
        expect(original.get_by_role("link", name="blank-chart.png")).to_be_visible()
        assert _loaded(original.locator("img.ws-file-thumb"))

        files = sam.get_by_label("Attachments (optional)")
        sam.get_by_role("textbox", name="Reply to the customer").fill("Fixed, see the steps.")
        files.set_input_files(
            files=[{"name": "steps.pdf", "mimeType": "application/pdf", "buffer": png()}]
        )
        sam.get_by_role("button", name="Send reply").click()
        expect(sam.locator("#ws-errors")).to_have_text(
            "steps.pdf: the file's content does not match its name."
        )
        expect(files).to_have_attribute("aria-invalid", "true")
        assert not ticket.replies.exists() and Attachment.objects.count() == 1

        files.set_input_files(
            files=[
                {"name": "steps.pdf", "mimeType": "application/pdf", "buffer": PDF},
                {"name": "fixed.png", "mimeType": "image/png", "buffer": png((400, 300))},
            ]
        )
        sam.get_by_role("button", name="Send reply").click()
        expect(sam.get_by_text("Reply sent.")).to_be_visible()
        reply = sam.get_by_role("region", name="Conversation").locator(".ws-msg").nth(1)
        expect(reply).to_contain_text("Fixed, see the steps.")
        expect(reply.get_by_role("link", name="steps.pdf")).to_be_visible()
        expect(reply.get_by_role("link", name="fixed.png")).to_be_visible()
        assert _loaded(reply.locator("img.ws-file-thumb"))

        sam.get_by_role("tab", name="Internal note").click()
        sam.get_by_role("textbox", name="Internal note for the team").fill("Server log.")
        sam.get_by_label("Attachments (optional)").set_input_files(
            files=[{"name": "trace.log", "mimeType": "text/plain", "buffer": b"ERROR 42\n"}]
        )
        sam.get_by_role("button", name="Add internal note").click()
        expect(sam.get_by_text("Internal note added.")).to_be_visible()
        note = sam.locator(".ws-msg-internal")
        expect(note.get_by_role("link", name="trace.log")).to_be_visible()
        assert sorted(a.name for a in Attachment.objects.all()) == [
            "blank-chart.png",
            "fixed.png",
            "steps.pdf",
            "trace.log",
        ]
        SHOTS.mkdir(exist_ok=True)
        sam.locator("#ws-files").set_input_files(
            files=[{"name": "follow-up.png", "mimeType": "image/png", "buffer": png()}]
        )
        sam.get_by_role("textbox", name="Reply to the customer").fill("One more screenshot.")
        sam.screenshot(path=str(SHOTS / "composer-attach.png"), full_page=True)
    finally:
        context.close()
