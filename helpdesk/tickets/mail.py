"""Ticket emails on the wire: the reply address that names a ticket (signed, so nobody
posts into a ticket by guessing its number), stable Message-IDs, the threading headers
and the text + HTML message, both rendered from the same context (the HTML with Django's
autoescaping, so what a customer wrote is shown, never run)."""

import re
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac

from helpdesk.tickets.models import Ticket, TicketMessageId

# Our own header on every email we send: a message that comes back with it is a loop.
LOOP_HEADER = "X-Premium-Desk-Ticket"
# References keeps the first message and the latest ones: enough to thread in every
# client, short enough for the header limits of the strict ones.
REFERENCES_KEPT = 10
_TOKEN_SALT = "helpdesk.tickets.mail.reply-address"
# 16 hex digits (64 bits) of HMAC: lower case survives servers that fold the local part.
_TOKEN_LENGTH = 16


def support_address() -> tuple[str, str]:
    """(local part, domain) of SUPPORT_EMAIL_ADDRESS."""
    local, _, domain = parseaddr(settings.SUPPORT_EMAIL_ADDRESS)[1].rpartition("@")
    return local.lower(), domain.lower()


def ticket_token(ticket_id: int) -> str:
    return salted_hmac(_TOKEN_SALT, f"t{ticket_id}").hexdigest()[:_TOKEN_LENGTH]


def reply_address(ticket_id: int) -> str:
    """support+t42.<signature>@domain: a reply to it lands on ticket 42."""
    local, domain = support_address()
    return f"{local}+t{ticket_id}.{ticket_token(ticket_id)}@{domain}"


@dataclass(frozen=True)
class AddressToken:
    ticket_id: int
    valid: bool


def address_token(address: str) -> AddressToken | None:
    """The ticket a recipient address names, and whether its signature holds; None for
    an address that is not a plus-address of the support mailbox."""
    local, domain = support_address()
    pattern = rf"{re.escape(local)}\+t(\d{{1,18}})\.([0-9a-z]+)@{re.escape(domain)}"
    found = re.fullmatch(pattern, address.strip().lower())
    if found is None:
        return None
    ticket_id = int(found.group(1))
    return AddressToken(
        ticket_id=ticket_id,
        valid=constant_time_compare(found.group(2), ticket_token(ticket_id)),
    )


def message_id_for(name: str) -> str:
    """A Message-ID that is the same every time the same email is rendered (the outbox
    may deliver a row again), e.g. <ticket-42.reply-17@premiumdesk.example>."""
    return f"<ticket-{name}@{support_address()[1]}>"


def thread_headers(*, ticket_id: int, message_id: str) -> dict[str, str]:
    """Record `message_id` as the ticket's next email and return the headers that chain
    it to the emails before it. Sending it again gives the same headers."""
    try:
        with transaction.atomic():
            TicketMessageId.objects.create(ticket_id=ticket_id, message_id=message_id)
    except IntegrityError:
        pass  # sent before: it keeps its place in the thread
    row = TicketMessageId.objects.get(message_id=message_id)
    earlier = list(
        TicketMessageId.objects.filter(ticket_id=ticket_id, pk__lt=row.pk)
        .order_by("pk")
        .values_list("message_id", flat=True)
    )
    if not earlier:
        return {}
    kept = earlier if len(earlier) <= REFERENCES_KEPT else [earlier[0], *earlier[-9:]]
    return {"In-Reply-To": earlier[-1], "References": " ".join(kept)}


def message_id_record(*, ticket_id: int, message_id: str) -> None:
    """Remember a received email's Message-ID on its ticket (the thread goes on from it)."""
    if not message_id or len(message_id) > 255:
        return
    try:
        with transaction.atomic():
            TicketMessageId.objects.create(
                ticket_id=ticket_id, message_id=message_id, created_at=timezone.now()
            )
    except IntegrityError:
        return


def ticket_email_send(
    *,
    ticket: Ticket,
    name: str,
    template: str,
    subject: str,
    context: dict[str, Any],
    to: list[str],
    automatic: bool,
) -> None:
    """Send one ticket email as text + HTML, threaded, with the ticket's reply address.
    `name` makes the Message-ID (the same email always gets the same one); `automatic`
    marks emails no person wrote (RFC 3834 Auto-Submitted), so auto-responders leave
    them alone."""
    message_id = message_id_for(name)
    headers = {
        "Message-ID": message_id,
        LOOP_HEADER: str(ticket.pk),
        **thread_headers(ticket_id=ticket.pk, message_id=message_id),
    }
    if automatic:
        headers["Auto-Submitted"] = "auto-generated"
        # Outlook and Exchange: no out-of-office answers to this one.
        headers["X-Auto-Response-Suppress"] = "All"
    with translation.override(ticket.language or settings.LANGUAGE_CODE):
        full = {**context, "ticket": ticket, "subject": subject}
        text = render_to_string(f"tickets/email/{template}.txt", full)
        html = render_to_string(f"tickets/email/{template}.html", full)
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=to,
        reply_to=[formataddr(("Premium Support", reply_address(ticket.pk)))],
        headers=headers,
    )
    mail.attach_alternative(html, "text/html")
    mail.send()
