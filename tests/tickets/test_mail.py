"""Ticket emails on the wire: text + HTML, stable Message-IDs, a thread across the
ticket's emails, a signed reply address and Auto-Submitted where no person wrote it."""

import re

import pytest
from django.core import mail
from django.utils import translation

from helpdesk.tickets import notifications, services
from helpdesk.tickets.mail import address_token, reply_address, ticket_token
from helpdesk.tickets.models import ReplyVisibility, TicketStatus
from tests.factories import StaffFactory, SuperAdminFactory, ticket_for

pytestmark = pytest.mark.django_db


def _html(message) -> str:
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    return html


def test_three_emails_of_a_ticket_thread_together(django_capture_on_commit_callbacks, settings):
    settings.SUPPORT_EMAIL_ADDRESS = "help@desk.example"
    requester = SuperAdminFactory()
    agent = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_for(requester)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(
            ticket=ticket, author=agent, body="Try again", visibility=ReplyVisibility.PUBLIC
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_set_status(ticket=ticket, status=TicketStatus.SOLVED, actor=agent)
    created, reply, solved = [m for m in mail.outbox if m.to == [requester.email]]
    ids = [m.extra_headers["Message-ID"] for m in (created, reply, solved)]
    assert ids == [
        f"<ticket-{ticket.pk}.created@desk.example>",
        f"<ticket-{ticket.pk}.reply-{ticket.replies.get().pk}@desk.example>",
        ids[2],
    ]
    assert re.fullmatch(rf"<ticket-{ticket.pk}\.solved-\d+@desk\.example>", ids[2])
    assert "In-Reply-To" not in created.extra_headers
    assert reply.extra_headers["In-Reply-To"] == ids[0]
    assert reply.extra_headers["References"] == ids[0]
    assert solved.extra_headers["In-Reply-To"] == ids[1]
    assert solved.extra_headers["References"] == f"{ids[0]} {ids[1]}"
    # The reply address names the ticket with its signature, on every email.
    address = f"help+t{ticket.pk}.{ticket_token(ticket.pk)}@desk.example"
    assert {m.reply_to[0] for m in (created, reply, solved)} == {f"Premium Support <{address}>"}
    # Machines wrote the confirmation and the solved notice; a specialist wrote the reply.
    assert created.extra_headers["Auto-Submitted"] == "auto-generated"
    assert solved.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Auto-Submitted" not in reply.extra_headers
    assert solved.subject == f"[#{ticket.pk}] Solved: {ticket.subject}"
    assert "reply to this email and the ticket opens again" in solved.body


def test_sending_an_email_again_gives_the_same_headers(django_capture_on_commit_callbacks):
    requester = SuperAdminFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_for(requester)
    agent = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.ticket_reply(
            ticket=ticket, author=agent, body="Hi", visibility=ReplyVisibility.PUBLIC
        )
    first = mail.outbox[-1]
    notifications.ticket_reply_notify(reply_id=reply.pk)  # the outbox delivers it again
    again = mail.outbox[-1]
    assert again.extra_headers == first.extra_headers


def test_the_html_part_shows_what_the_customer_wrote_escaped(django_capture_on_commit_callbacks):
    requester = SuperAdminFactory(full_name="Ada <b>Lovelace</b>")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_for(requester, subject='<img src=x onerror="alert(1)">')
    agent = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(
            ticket=ticket,
            author=agent,
            body="<script>alert(1)</script>\nsecond line",
            visibility=ReplyVisibility.PUBLIC,
        )
    created, reply = [m for m in mail.outbox if m.to == [requester.email]]
    html = _html(reply)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;<br>second" in html
    assert "<img" not in _html(created) and "&lt;img src=x" in _html(created)
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" in reply.body  # plain text, as written
    assert "Premium Support" in html


@pytest.mark.parametrize(
    ("language", "greeting", "subject"),
    [
        ("fr", "Bonjour", "Nous avons bien reçu votre demande"),
        ("ja", "様", "お問い合わせを受け付けました"),
    ],
)
def test_the_emails_are_written_in_the_ticket_language(
    django_capture_on_commit_callbacks, language, greeting, subject
):
    requester = SuperAdminFactory()
    with translation.override(language), django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_for(requester)
    assert ticket.language == language
    [confirmation] = mail.outbox
    assert subject in confirmation.subject
    assert greeting in confirmation.body and greeting in _html(confirmation)


def test_a_reply_address_is_checked_by_its_signature(settings):
    settings.SUPPORT_EMAIL_ADDRESS = "support@premiumdesk.example"
    good = address_token(reply_address(42))
    assert good is not None and (good.ticket_id, good.valid) == (42, True)
    # Mail servers may fold the local part to upper case; the signature is hex.
    assert address_token(reply_address(42).upper()).valid
    forged = address_token(f"support+t43.{ticket_token(42)}@premiumdesk.example")
    assert forged is not None and (forged.ticket_id, forged.valid) == (43, False)
    assert address_token("support@premiumdesk.example") is None
    assert address_token(f"other+t42.{ticket_token(42)}@premiumdesk.example") is None
