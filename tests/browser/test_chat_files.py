"""Files in the premium chat, in two browsers: the customer attaches a screenshot in the
help dialog, the specialist sees it in the console, sends a log file back, and after a
reload the customer's chat shows both, in order. A refused file leaves nothing behind."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from chat.models import Message, MessageAttachment
from tests.browser.test_chat import _chat_accepted
from tests.tickets.test_attachments import png

SHOTS = Path("/tmp/shots")


@pytest.fixture
def portal(demo, tmp_path):
    """The demo served by Daphne with its own Redis and its own attachment folder."""
    from tests.chat.servers import DaphneServer, RedisServer

    redis = RedisServer().start()
    server = DaphneServer(redis.url, ATTACHMENTS_ROOT=str(tmp_path / "attachments")).start()
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
    finally:
        specialist_ctx.close()
        customer_ctx.close()
