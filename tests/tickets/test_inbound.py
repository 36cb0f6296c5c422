"""The inbound service: what each received email becomes, and why the others are not."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from helpdesk.tickets import inbound, notifications, services
from helpdesk.tickets.inbound import inbound_email_receive
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
from tests.email.messages import QUOTED, email_bytes
from tests.factories import (
    AccountFactory,
    StaffFactory,
    SuperAdminFactory,
    UserFactory,
    ticket_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _support_address(settings):
    settings.SUPPORT_EMAIL_ADDRESS = "support@premiumdesk.example"


@pytest.fixture
def receive(django_capture_on_commit_callbacks):
    """Receive one message; its outbox rows are delivered as after its commit."""

    def receive(raw: bytes) -> InboundEmail:
        with django_capture_on_commit_callbacks(execute=True):
            row = inbound_email_receive(raw=raw, transport="imap")
        assert row is not None
        row.refresh_from_db()
        return row

    return receive


def test_the_requesters_reply_becomes_a_public_reply_without_the_quote(receive):
    requester = SuperAdminFactory(email="ada@example.com")
    ticket = ticket_for(requester)
    row = receive(
        email_bytes(
            sender="Ada <ADA@example.com>",
            to=reply_address(ticket.pk),
            subject=f"Re: [#{ticket.pk}] New reply",
            body="Thanks, exporting works now." + QUOTED,
        )
    )
    reply = ticket.replies.get()
    assert (row.outcome, row.reason, row.ticket, row.reply) == (
        InboundOutcome.REPLY,
        "",
        ticket,
        reply,
    )
    assert reply.body == "Thanks, exporting works now.\n\nAda"  # the sign-off stays
    assert (reply.author, reply.visibility) == (requester, ReplyVisibility.PUBLIC)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_a_reply_on_a_solved_ticket_opens_it_again(receive):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    services.ticket_set_status(ticket=ticket, status=TicketStatus.SOLVED, actor=StaffFactory())
    receive(email_bytes(sender=requester.email, to=reply_address(ticket.pk), body="Back again"))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.replies.get().body == "Back again"


def test_a_reply_that_lost_its_address_finds_the_ticket_by_its_references(
    receive, django_capture_on_commit_callbacks
):
    requester = SuperAdminFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_for(requester)
    [confirmation] = [m for m in mail.outbox if m.to == [requester.email]]
    row = receive(
        email_bytes(
            sender=requester.email,
            headers={"In-Reply-To": confirmation.extra_headers["Message-ID"]},
            body="Adding a detail",
        )
    )
    assert (row.outcome, row.ticket) == (InboundOutcome.REPLY, ticket)


def test_a_super_admin_colleague_may_reply_and_a_regular_one_may_not(receive):
    requester = UserFactory(account=SuperAdminFactory().account)
    ticket = ticket_for(requester)
    colleague_admin = SuperAdminFactory(account=requester.account)
    colleague = UserFactory(account=requester.account)
    allowed = receive(email_bytes(sender=colleague_admin.email, to=reply_address(ticket.pk)))
    refused = receive(email_bytes(sender=colleague.email, to=reply_address(ticket.pk)))
    assert allowed.outcome == InboundOutcome.REPLY
    assert (refused.outcome, refused.reason, refused.answered) == (
        InboundOutcome.REFUSED,
        InboundReason.NOT_ALLOWED,
        True,
    )
    assert ticket.replies.count() == 1
    [answer] = [m for m in mail.outbox if m.to == [colleague.email]]
    assert answer.extra_headers["Auto-Submitted"] == "auto-replied"
    assert str(notifications.INBOUND_ANSWERS[InboundReason.NOT_ALLOWED]) in answer.body


def test_an_entitled_customer_opens_a_ticket_by_email_with_its_deadline(receive):
    requester = SuperAdminFactory()
    before = timezone.now()
    row = receive(
        email_bytes(
            sender=requester.email,
            subject="BUSINESS-CRITICAL: nobody can log in",
            body="Since 9:00 nobody can log in.\n\nAda",
            message_id="<first@customer.example>",
        )
    )
    ticket = Ticket.objects.get()
    assert (row.outcome, row.ticket) == (InboundOutcome.TICKET, ticket)
    assert ticket.subject == "BUSINESS-CRITICAL: nobody can log in"
    assert ticket.description == "Since 9:00 nobody can log in.\n\nAda"
    assert (ticket.channel, ticket.business_critical) == ("email", False)  # never by email
    assert ticket.sla_kind == SlaKind.GUARANTEED
    assert before + timedelta(minutes=60) <= ticket.due_at <= timezone.now() + timedelta(minutes=60)
    [confirmation] = [m for m in mail.outbox if m.to == [requester.email]]
    assert confirmation.extra_headers["In-Reply-To"] == "<first@customer.example>"


def test_a_regular_user_gets_the_one_business_day_target_by_email(receive):
    regular = UserFactory(account=SuperAdminFactory().account)
    receive(email_bytes(sender=regular.email))
    assert Ticket.objects.get().sla_kind == SlaKind.TARGET


def test_a_customer_without_premium_support_gets_one_polite_answer(receive):
    customer = UserFactory(account=AccountFactory())
    first = receive(email_bytes(sender=customer.email))
    second = receive(email_bytes(sender=customer.email))
    assert (first.reason, first.answered) == (InboundReason.NOT_ENTITLED, True)
    assert (second.reason, second.answered) == (InboundReason.NOT_ENTITLED, False)
    [answer] = [m for m in mail.outbox if m.to == [customer.email]]
    assert str(notifications.INBOUND_ANSWERS[InboundReason.NOT_ENTITLED]) in answer.body
    assert answer.alternatives and answer.extra_headers["Auto-Submitted"] == "auto-replied"
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, InboundReason.AUTO_REPLY),
        ({"Precedence": "bulk"}, InboundReason.AUTO_REPLY),
        ({"X-Autoreply": "yes"}, InboundReason.AUTO_REPLY),
        ({"Return-Path": "<>"}, InboundReason.BOUNCE),
        ({"X-Premium-Desk-Ticket": "7"}, InboundReason.LOOP),
    ],
)
def test_automatic_mail_is_logged_and_never_answered(receive, headers, reason):
    customer = UserFactory(account=AccountFactory())  # would get an answer if a person wrote
    row = receive(email_bytes(sender=customer.email, headers=headers))
    assert (row.outcome, row.reason, row.answered) == (InboundOutcome.REFUSED, reason, False)
    assert mail.outbox == []


def test_mail_from_the_support_address_itself_is_a_loop(receive):
    row = receive(email_bytes(sender="support+t1.abc@premiumdesk.example"))
    assert row.reason == InboundReason.LOOP


def test_a_stranger_is_logged_and_not_answered(receive):
    row = receive(email_bytes(sender="someone@elsewhere.example"))
    assert (row.outcome, row.reason, row.sender) == (
        InboundOutcome.REFUSED,
        InboundReason.UNKNOWN_SENDER,
        "someone@elsewhere.example",
    )
    assert mail.outbox == [] and not Ticket.objects.exists()


def test_a_forged_reply_address_is_refused_and_makes_no_ticket(receive):
    requester = SuperAdminFactory()
    mine = ticket_for(requester)
    other = ticket_for(SuperAdminFactory())
    forged = f"support+t{other.pk}.{ticket_token(mine.pk)}@premiumdesk.example"
    row = receive(email_bytes(sender=requester.email, to=forged))
    assert (row.reason, row.answered) == (InboundReason.FORGED_TOKEN, False)
    assert Ticket.objects.count() == 2 and not other.replies.exists()


def test_another_accounts_user_cannot_post_into_a_ticket_with_its_address(receive):
    ticket = ticket_for(SuperAdminFactory())
    outsider = SuperAdminFactory()
    row = receive(email_bytes(sender=outsider.email, to=reply_address(ticket.pk)))
    assert row.reason == InboundReason.NOT_ALLOWED and not ticket.replies.exists()


def test_a_closed_ticket_takes_no_reply(receive):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    services.ticket_set_status(ticket=ticket, status=TicketStatus.CLOSED, actor=StaffFactory())
    row = receive(email_bytes(sender=requester.email, to=reply_address(ticket.pk)))
    assert (row.reason, row.answered) == (InboundReason.TICKET_CLOSED, True)


def test_an_oversized_message_is_refused_unread(receive, settings):
    settings.INBOUND_MAX_BYTES = 1000
    requester = SuperAdminFactory()
    row = receive(email_bytes(sender=requester.email, body="x" * 5000))
    assert (row.reason, row.sender) == (InboundReason.TOO_LARGE, requester.email)
    assert "the limit is 1000" in row.detail and not Ticket.objects.exists()


def test_malformed_mime_is_refused_with_its_fault(receive):
    requester = SuperAdminFactory()
    raw = (
        f"From: {requester.email}\r\nTo: support@premiumdesk.example\r\n"
        "Subject: broken\r\nMessage-ID: <broken@customer.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nno boundary at all\r\n"
    ).encode()
    row = receive(raw)
    assert (row.reason, row.sender) == (InboundReason.MALFORMED, requester.email)
    assert "NoBoundaryInMultipartDefect" in row.detail
    no_sender = receive(b"Subject: who?\r\nMessage-ID: <anon@x.example>\r\n\r\nbody\r\n")
    assert no_sender.reason == InboundReason.MALFORMED


@pytest.mark.parametrize("charset", ["utf-8", "x-no-such-charset"])
def test_a_lying_charset_is_refused(receive, charset):
    requester = SuperAdminFactory()
    raw = (
        f"From: {requester.email}\r\nTo: support@premiumdesk.example\r\nSubject: text\r\n"
        f"Message-ID: <charset-{charset}@customer.example>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + b"caf\xe9 \xff\xfe\r\n"
    row = receive(raw)
    assert (row.reason, row.answered) == (InboundReason.CHARSET, True)
    assert charset in row.detail and not Ticket.objects.exists()


def test_an_html_only_email_is_stored_as_safe_text(receive):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>It <b>still</b> fails"
        " &amp; stops</p><script>alert(1)</script><img src=x onerror=alert(2)></body></html>"
    )
    receive(email_bytes(sender=requester.email, to=reply_address(ticket.pk), body=None, html=html))
    assert ticket.replies.get().body == "It still fails & stops"


def test_a_message_is_processed_once():
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    raw = email_bytes(sender=requester.email, to=reply_address(ticket.pk), message_id="<x@y.z>")
    assert inbound_email_receive(raw=raw, transport="imap") is not None
    assert inbound_email_receive(raw=raw, transport="mailgun") is None
    assert ticket.replies.count() == 1 and InboundEmail.objects.count() == 1


def test_a_failing_message_is_logged_and_the_next_one_goes_through(receive, monkeypatch):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    real = services.ticket_reply_reopening
    calls = []

    def fails_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(inbound.services, "ticket_reply_reopening", fails_once)
    failed = receive(email_bytes(sender=requester.email, to=reply_address(ticket.pk)))
    passed = receive(email_bytes(sender=requester.email, to=reply_address(ticket.pk)))
    assert (failed.outcome, failed.reason, failed.detail) == (
        InboundOutcome.FAILED,
        InboundReason.ERROR,
        "RuntimeError: disk on fire",
    )
    assert passed.outcome == InboundOutcome.REPLY and ticket.replies.count() == 1


def test_a_claim_left_by_a_killed_worker_is_marked_for_the_leads_not_run_again():
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    raw = email_bytes(sender=requester.email, to=reply_address(ticket.pk), message_id="<k@y.z>")
    InboundEmail.objects.create(
        key="<k@y.z>",
        transport="imap",
        received_at=timezone.now() - timedelta(seconds=inbound.CLAIM_TIMEOUT_SECONDS + 1),
    )
    assert inbound_email_receive(raw=raw, transport="imap") is None
    row = InboundEmail.objects.get()
    assert (row.outcome, row.reason, row.detail) == (
        InboundOutcome.FAILED,
        InboundReason.ERROR,
        inbound.INTERRUPTED,
    )
    assert not ticket.replies.exists()
