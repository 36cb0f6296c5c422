"""The IMAP transport against a real IMAP server (Debian's dovecot-imapd, started by
.ci/run, or here when it is installed): messages are delivered with IMAP APPEND and
the real polling task takes them."""

import pytest
from django.core import mail
from django.core.management import call_command
from imap_tools import MailBoxUnencrypted

from helpdesk.tickets import services, tasks
from helpdesk.tickets.inbound import inbound_email_receive
from helpdesk.tickets.inbound_imap import BAD_URL, NOT_CONFIGURED, imap_config, inbound_poll
from helpdesk.tickets.mail import reply_address, ticket_token
from helpdesk.tickets.models import (
    InboundEmail,
    InboundOutcome,
    InboundReason,
    ReplyVisibility,
    Ticket,
    TicketStatus,
)
from sla.models import SlaKind
from tests.email.fixtures import imap_url  # noqa: F401 (a fixture)
from tests.email.messages import QUOTED, email_bytes
from tests.factories import AccountFactory, StaffFactory, SuperAdminFactory, ticket_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(imap_url, settings):  # noqa: F811 (the imported fixture)
    """The support mailbox, emptied (INBOX and Processed) before each test."""
    settings.INBOUND_IMAP_URL = imap_url
    settings.SUPPORT_EMAIL_ADDRESS = "support@premiumdesk.example"
    config = imap_config(imap_url)
    box = MailBoxUnencrypted(config.host, config.port).login(config.user, config.password)
    for folder in ("INBOX", settings.INBOUND_IMAP_DONE_FOLDER):
        if box.folder.exists(folder):
            box.folder.set(folder)
            box.delete(box.uids("ALL"))
    box.folder.set("INBOX")
    yield box
    box.logout()


def deliver(box, raw: bytes) -> None:
    box.append(raw, "INBOX")


def poll(django_capture_on_commit_callbacks) -> dict[str, int]:
    with django_capture_on_commit_callbacks(execute=True):
        return tasks.inbound_poll()


def remaining(box, folder: str = "INBOX") -> int:
    box.folder.set(folder)
    count = len(box.uids("ALL"))
    box.folder.set("INBOX")
    return count


def test_a_customers_reply_by_email_lands_on_the_ticket(
    mailbox, django_capture_on_commit_callbacks
):
    requester = SuperAdminFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_for(requester)
    deliver(
        mailbox,
        email_bytes(
            sender=requester.email,
            to=reply_address(ticket.pk),
            subject=f"Re: [#{ticket.pk}] We received your request",
            body="Here is the export log you asked for." + QUOTED,
        ),
    )
    assert poll(django_capture_on_commit_callbacks) == {
        "seen": 1,
        "processed": 1,
        "skipped": 0,
        "errors": 0,
    }
    reply = ticket.replies.get()
    assert reply.body.startswith("Here is the export log you asked for.")
    assert "wrote:" not in reply.body and "> Hello Ada" not in reply.body
    assert (reply.visibility, reply.author) == (ReplyVisibility.PUBLIC, requester)
    # Moved out of the inbox, marked seen: the next poll finds nothing.
    assert remaining(mailbox) == 0 and remaining(mailbox, "Processed") == 1
    mailbox.folder.set("Processed")
    [moved] = list(mailbox.fetch(mark_seen=False))
    assert "\\Seen" in moved.flags
    assert poll(django_capture_on_commit_callbacks)["seen"] == 0


def test_a_reply_by_email_opens_a_solved_ticket_again(mailbox, django_capture_on_commit_callbacks):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    agent = StaffFactory()
    services.ticket_reply(ticket=ticket, author=agent, body="Fixed", visibility="public")
    services.ticket_set_status(ticket=ticket, status=TicketStatus.SOLVED, actor=agent)
    deliver(mailbox, email_bytes(sender=requester.email, to=reply_address(ticket.pk)))
    poll(django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.replies.last().author == requester


def test_a_new_ticket_by_email_gets_its_deadline(mailbox, django_capture_on_commit_callbacks):
    requester = SuperAdminFactory()
    deliver(
        mailbox,
        email_bytes(sender=requester.email, subject="Reports are empty", body="Since today."),
    )
    poll(django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.channel, ticket.requester) == (
        "Reports are empty",
        "email",
        requester,
    )
    assert ticket.sla_kind == SlaKind.GUARANTEED
    assert (ticket.due_at - ticket.created_at).total_seconds() == 3600
    [confirmation] = [m for m in mail.outbox if m.to == [requester.email]]
    assert confirmation.extra_headers["In-Reply-To"].endswith("@customer.example>")


def test_bad_messages_are_logged_with_their_reason_and_the_mailbox_keeps_flowing(
    mailbox, django_capture_on_commit_callbacks, settings
):
    settings.INBOUND_MAX_BYTES = 20_000
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    not_entitled = SuperAdminFactory(account=AccountFactory())
    forged = f"support+t{ticket.pk + 1}.{ticket_token(ticket.pk)}@premiumdesk.example"
    bad = [
        email_bytes(sender="stranger@elsewhere.example"),
        email_bytes(sender=not_entitled.email),
        email_bytes(sender=requester.email, headers={"Auto-Submitted": "auto-replied"}),
        email_bytes(sender="MAILER-DAEMON@mx.example", headers={"Return-Path": "<>"}),
        email_bytes(sender=requester.email, to=forged),
        email_bytes(sender=requester.email, body="x" * 50_000),
        (
            f"From: {requester.email}\r\nSubject: broken\r\nMessage-ID: <b@c.example>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nno boundary\r\n"
        ).encode(),
        (
            f"From: {requester.email}\r\nSubject: lies\r\nMessage-ID: <l@c.example>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
        ).encode()
        + b"\xff\xfe\xfd\r\n",
    ]
    for raw in bad:
        deliver(mailbox, raw)
    deliver(mailbox, email_bytes(sender=requester.email, to=reply_address(ticket.pk)))
    result = poll(django_capture_on_commit_callbacks)
    assert result == {"seen": 9, "processed": 9, "skipped": 0, "errors": 0}
    reasons = list(InboundEmail.objects.order_by("pk").values_list("reason", flat=True))
    assert reasons == [
        InboundReason.UNKNOWN_SENDER,
        InboundReason.NOT_ENTITLED,
        InboundReason.AUTO_REPLY,
        InboundReason.BOUNCE,
        InboundReason.FORGED_TOKEN,
        InboundReason.TOO_LARGE,
        InboundReason.MALFORMED,
        InboundReason.CHARSET,
        "",
    ]
    assert InboundEmail.objects.order_by("pk").last().outcome == InboundOutcome.REPLY
    assert ticket.replies.count() == 1
    assert remaining(mailbox) == 0


def test_a_message_claimed_by_another_poller_is_not_processed_twice(
    mailbox, django_capture_on_commit_callbacks
):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    raw = email_bytes(sender=requester.email, to=reply_address(ticket.pk))
    deliver(mailbox, raw)
    # Another worker took it (or a poll was interrupted after processing, before moving).
    assert inbound_email_receive(raw=raw, transport="imap") is not None
    result = poll(django_capture_on_commit_callbacks)
    assert (result["processed"], result["skipped"]) == (0, 1)
    assert ticket.replies.count() == 1 and remaining(mailbox) == 0


def test_the_command_runs_one_cycle(mailbox, capsys, django_capture_on_commit_callbacks):
    deliver(mailbox, email_bytes(sender="stranger@elsewhere.example"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("inbound_poll")
    assert capsys.readouterr().out.strip() == (
        "1 message(s): 1 processed, 0 already processed, 0 IMAP error(s)"
    )


def test_the_imap_url_is_checked(settings):
    settings.INBOUND_IMAP_URL = ""
    with pytest.raises(ValueError, match=NOT_CONFIGURED):
        inbound_poll()
    for url in ("pop3://u:p@h/INBOX", "imaps://host/INBOX", "imap://u:p@h:notaport/"):
        with pytest.raises(ValueError, match="INBOUND_IMAP_URL must look like") as exc:
            inbound_poll(url=url)
        assert str(exc.value) == BAD_URL
    config = imap_config("imaps://me%40x.example:p%2Fw@mail.example/Support/Inbound")
    assert (config.user, config.password, config.port, config.folder) == (
        "me@x.example",
        "p/w",
        993,
        "Support/Inbound",
    )
