"""Email support by email, as people see it: a customer's email delivered into the real
IMAP server becomes a reply the specialist reads on the admin's ticket page; leads read
the inbound log; the ticket email as a mail program shows it."""

import imaplib
from email import message_from_bytes, policy

from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from helpdesk.tickets import tasks
from helpdesk.tickets.inbound_imap import imap_config
from helpdesk.tickets.mail import reply_address
from helpdesk.tickets.models import Ticket
from tests.browser.helpers import open_premium_channel
from tests.email.fixtures import imap_url  # noqa: F401 (a fixture)
from tests.email.messages import QUOTED, email_bytes
from tests.factories import ticket_for
from tests.tickets.test_attachments import png


def test_an_emailed_reply_shows_on_the_specialists_ticket_page(
    live_server,
    demo,
    page,
    login,
    screenshot,
    settings,
    tmp_path,
    imap_url,  # noqa: F811 (the imported fixture)
):
    settings.INBOUND_IMAP_URL = imap_url
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"
    customer = User.objects.get(email="admin@acme.example")
    ticket = ticket_for(customer, subject="Exports stop at 80%")
    # A script delivers the customer's answer into the mailbox, as a mail server would.
    config = imap_config(imap_url)
    answer = message_from_bytes(
        email_bytes(
            sender="Ada <admin@acme.example>",
            to=reply_address(ticket.pk),
            subject=f"Re: [#{ticket.pk}] We received your request",
            body="It stops at 80% with the error 'quota exceeded'." + QUOTED,
        ),
        policy=policy.default,
    )
    answer.add_attachment(png(), maintype="image", subtype="png", filename="screenshot.png")
    with imaplib.IMAP4(config.host, config.port) as imap:
        imap.login(config.user, config.password)
        imap.select("INBOX")
        if imap.search(None, "ALL")[1][0]:  # whatever an earlier test left
            imap.store("1:*", "+FLAGS", r"(\Deleted)")
            imap.expunge()
        imap.append("INBOX", None, None, answer.as_bytes())
    stranger = email_bytes(sender="offers@spam.example", subject="Cheap followers")
    with imaplib.IMAP4(config.host, config.port) as imap:
        imap.login(config.user, config.password)
        imap.append("INBOX", None, None, stranger)
    assert tasks.inbound_poll()["processed"] == 2

    login(page, "lead@support.example")
    page.goto(f"{live_server.url}/admin/tickets/ticket/{ticket.pk}/change/")
    expect(page.get_by_text("It stops at 80% with the error 'quota exceeded'.")).to_be_visible()
    expect(page.get_by_text("please try again")).to_have_count(0)  # the quote was stripped
    thumbnail = page.locator("img.attachment-thumb")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.naturalWidth") == 320  # the server's thumbnail
    expect(page.get_by_role("link", name="screenshot.png")).to_be_visible()
    screenshot(page, "admin-ticket-with-emailed-reply")
    page.goto(f"{live_server.url}/admin/tickets/inboundemail/")
    expect(page.get_by_role("cell", name="offers@spam.example")).to_be_visible()
    expect(page.get_by_role("cell", name="Unknown sender")).to_be_visible()
    expect(page.get_by_role("cell", name="Added to a ticket")).to_be_visible()
    screenshot(page, "admin-inbound-log")

    # The confirmation as an HTML mail program shows it (on a blank page: the portal's
    # CSP has no business with an email's inline styles).
    [confirmation] = [m for m in mail.outbox if m.to == ["admin@acme.example"]]
    page.goto("about:blank")
    page.set_content(confirmation.alternatives[0][0])
    expect(page.get_by_text("We received your request")).to_be_visible()
    screenshot(page, "confirmation-email")


def test_a_screenshot_attached_in_the_dialog_shows_on_the_specialists_ticket_page(
    live_server, demo, page, login, screenshot, settings, tmp_path
):
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"
    login(page, "admin@acme.example")
    dialog = open_premium_channel(page, "Premium email support", "email")
    dialog.get_by_label("Subject").fill("Chart is blank")
    dialog.get_by_label("Describe the problem").fill("See the screenshot.")
    attach = dialog.get_by_label("Attachments (optional)")
    attach.set_input_files(
        files=[{"name": "chart.pdf", "mimeType": "application/pdf", "buffer": png()}]
    )
    dialog.get_by_role("button", name="Submit").click()
    expect(
        dialog.get_by_text("chart.pdf: the file's content does not match its name.")
    ).to_be_visible()
    screenshot(page, "dialog-refused-file")
    attach.set_input_files(files=[{"name": "chart.png", "mimeType": "image/png", "buffer": png()}])
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_role("status")).to_contain_text("submitted")
    ticket = Ticket.objects.get(subject="Chart is blank")
    assert ticket.attachments.get().name == "chart.png"
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Log out").click()

    login(page, "agent@support.example")
    page.goto(f"{live_server.url}/admin/tickets/ticket/{ticket.pk}/change/")
    expect(page.locator("img.attachment-thumb")).to_be_visible()
    screenshot(page, "admin-ticket-with-dialog-screenshot")
