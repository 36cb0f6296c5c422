"""Inbound email: the one service behind every transport (IMAP polling, a provider's
webhook). A message is claimed in the inbound log first (its Message-ID is unique
there), so two pollers or a webhook retried by the provider process it once; then it
becomes a public reply on its ticket, a new premium email ticket, or a refusal logged
with its reason. A message that fails is logged with its error and never stops the next.
docs/email.md has the rules."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import can_view_customer_item, is_customer
from accounts.selectors import user_by_email
from helpdesk.core.outbox.services import outbox_enqueue
from helpdesk.core.ratelimit import rate_limit_take
from helpdesk.tickets import notifications, services
from helpdesk.tickets.attachments import Upload, atomic_with_files, attachments_add
from helpdesk.tickets.inbound_parse import (
    MalformedMessage,
    ParsedEmail,
    UnreadableText,
    email_attachments,
    email_parse,
    email_text,
    header_key,
    reply_text,
)
from helpdesk.tickets.mail import address_token, message_id_record, support_address
from helpdesk.tickets.models import (
    InboundEmail,
    InboundOutcome,
    InboundReason,
    Reply,
    Ticket,
    TicketChannel,
    TicketMessageId,
    TicketStatus,
)

logger = logging.getLogger(__name__)

# Reasons a known customer gets one polite answer for; the others (strangers, machines,
# forged addresses) get none: answering them is backscatter, or a loop.
ANSWERED_REASONS = {
    InboundReason.NOT_ENTITLED,
    InboundReason.NOT_ALLOWED,
    InboundReason.TICKET_CLOSED,
    InboundReason.INVALID,
    InboundReason.EMPTY,
    InboundReason.CHARSET,
    InboundReason.MALFORMED,
}
ANSWER_WINDOW_SECONDS = 86_400
# Longer than the poll task's time limit: a claim this old belongs to no live worker.
CLAIM_TIMEOUT_SECONDS = 600
INTERRUPTED = "Interrupted while processing: it may have been applied. Check the ticket."


@dataclass(frozen=True)
class _Refusal(Exception):
    reason: InboundReason
    detail: str = ""


def _key(message_id: str, raw: bytes) -> str:
    if message_id and len(message_id) <= 255:
        return message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _claim(*, key: str, transport: str, size: int) -> InboundEmail | None:
    """The log row for this message, or None when another worker (or an earlier poll)
    has it: the unique key makes exactly one insert win."""
    try:
        with transaction.atomic():
            return InboundEmail.objects.create(key=key, transport=transport, size=size)
    except IntegrityError:
        # A row still processing long after its claim was interrupted (a killed worker):
        # it may or may not have been applied, so it is marked for leads, not run again.
        InboundEmail.objects.filter(
            key=key,
            outcome=InboundOutcome.PROCESSING,
            received_at__lt=timezone.now() - timedelta(seconds=CLAIM_TIMEOUT_SECONDS),
        ).update(outcome=InboundOutcome.FAILED, reason=InboundReason.ERROR, detail=INTERRUPTED)
        return None


def inbound_email_receive(
    *, raw: bytes, transport: str, size: int | None = None
) -> InboundEmail | None:
    """Process one received message. `raw` is the whole message, or only its headers
    when `size` says it is over INBOUND_MAX_BYTES (the IMAP poller does not download
    those). Returns its log row, or None if it was processed before."""
    size = len(raw) if size is None else size
    too_large = size > settings.INBOUND_MAX_BYTES
    message_id = header_key(raw)
    row = _claim(key=_key(message_id, raw), transport=transport, size=size)
    if row is None:
        logger.info("inbound: %s already processed", message_id or "message")
        return None
    row.message_id = message_id
    try:
        _process(row, raw, too_large=too_large)
    except _Refusal as refusal:
        row.outcome, row.reason = InboundOutcome.REFUSED, refusal.reason
        row.detail = refusal.detail[:2000]
    except Exception as exc:
        logger.exception("inbound: message %s failed", row.pk)
        row.outcome, row.reason = InboundOutcome.FAILED, InboundReason.ERROR
        row.detail = f"{exc.__class__.__name__}: {exc}"[:2000]
    row.save()
    if row.outcome == InboundOutcome.REFUSED:
        _answer(row)
    return row


def _process(row: InboundEmail, raw: bytes, *, too_large: bool) -> None:
    try:
        parsed = email_parse(raw, limit_to_headers=too_large)
    except MalformedMessage as exc:
        row.sender = _sender_guess(raw)
        raise _Refusal(InboundReason.MALFORMED, str(exc)) from exc
    row.sender, row.subject = parsed.sender[:254], parsed.subject
    if parsed.has_loop_header or _is_ours(parsed.sender):
        raise _Refusal(InboundReason.LOOP)
    if parsed.automatic == "bounce":
        raise _Refusal(InboundReason.BOUNCE)
    if parsed.automatic:
        raise _Refusal(InboundReason.AUTO_REPLY)
    if too_large:
        raise _Refusal(
            InboundReason.TOO_LARGE,
            f"{row.size} bytes; the limit is {settings.INBOUND_MAX_BYTES}",
        )
    ticket_id = _ticket_named(parsed)
    user = user_by_email(email=parsed.sender)
    if user is None:
        raise _Refusal(InboundReason.UNKNOWN_SENDER)
    try:
        text = email_text(parsed)
    except UnreadableText as exc:
        raise _Refusal(InboundReason.CHARSET, str(exc)) from exc
    if ticket_id is not None:
        _reply(row, parsed, user=user, ticket_id=ticket_id, text=text)
    else:
        _new_ticket(row, parsed, user=user, text=text)


def _sender_guess(raw: bytes) -> str:
    for line in raw[:65536].decode("latin-1").splitlines():
        if line.lower().startswith("from:"):
            return parseaddr(line[5:])[1].lower()[:254]
    return ""


def _is_ours(address: str) -> bool:
    local, domain = support_address()
    own = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(), f"{local}@{domain}"}
    return address in own or address.startswith(f"{local}+") and address.endswith(f"@{domain}")


def _ticket_named(parsed: ParsedEmail) -> int | None:
    """The ticket a message answers: its signed reply address, else a Message-ID of the
    ticket's emails in In-Reply-To/References. A plus-address with a wrong signature is
    refused, never taken for a new ticket."""
    forged = False
    for address in parsed.recipients:
        token = address_token(address)
        if token is None:
            continue
        if token.valid:
            return token.ticket_id
        forged = True
    if forged:
        raise _Refusal(InboundReason.FORGED_TOKEN)
    if parsed.references:
        found = (
            TicketMessageId.objects.filter(message_id__in=parsed.references[:20])
            .values_list("ticket_id", flat=True)
            .first()
        )
        if found is not None:
            return found
    return None


def _reply(
    row: InboundEmail, parsed: ParsedEmail, *, user: User, ticket_id: int, text: str
) -> None:
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        raise _Refusal(InboundReason.INVALID, f"ticket {ticket_id} does not exist")
    row.ticket = ticket
    if not is_customer(user) or not can_view_customer_item(user, ticket):
        raise _Refusal(InboundReason.NOT_ALLOWED)
    if ticket.status == TicketStatus.CLOSED:
        raise _Refusal(InboundReason.TICKET_CLOSED)
    body = reply_text(text)[: services.REPLY_MAX]
    if not body:
        raise _Refusal(InboundReason.EMPTY)
    try:
        with atomic_with_files():
            reply = services.ticket_reply_reopening(ticket=ticket, author=user, body=body)
            message_id_record(ticket_id=ticket.pk, message_id=parsed.message_id)
            row.detail = _attach(parsed, ticket=ticket, reply=reply, user=user)
    except PermissionDenied as exc:
        raise _Refusal(InboundReason.NOT_ALLOWED, str(exc)) from exc
    except ValidationError as exc:
        raise _Refusal(InboundReason.INVALID, "; ".join(exc.messages)) from exc
    row.outcome, row.reply = InboundOutcome.REPLY, reply


def _new_ticket(row: InboundEmail, parsed: ParsedEmail, *, user: User, text: str) -> None:
    """A new premium email ticket under the web form's rules (ticket_create checks the
    entitlement, the rate limit and the input rule); never business-critical."""
    if not is_customer(user):
        raise _Refusal(InboundReason.NOT_ALLOWED, "staff cannot open tickets by email")
    if not text:
        raise _Refusal(InboundReason.EMPTY)
    try:
        with atomic_with_files():
            ticket = services.ticket_create(
                requester=user,
                channel=TicketChannel.EMAIL,
                subject=parsed.subject or _("(no subject)"),
                description=text[: services.DESCRIPTION_MAX],
                business_critical=False,
            )
            # Recorded before the confirmation goes out (on commit), which answers it.
            message_id_record(ticket_id=ticket.pk, message_id=parsed.message_id)
            row.detail = _attach(parsed, ticket=ticket, reply=None, user=user)
    except PermissionDenied as exc:
        raise _Refusal(InboundReason.NOT_ENTITLED, str(exc)) from exc
    except ValidationError as exc:
        raise _Refusal(InboundReason.INVALID, "; ".join(exc.messages)) from exc
    row.outcome, row.ticket = InboundOutcome.TICKET, ticket


def _attach(parsed: ParsedEmail, *, ticket: Ticket, reply: Reply | None, user: User) -> str:
    """Store the email's attachments under the attachment rules; the text is kept even
    when they are refused, and the log says why."""
    files = [Upload(name=name, content=content) for name, content in email_attachments(parsed)]
    if not files:
        return ""
    try:
        attachments_add(ticket=ticket, reply=reply, uploaded_by=user, uploads=files)
    except ValidationError as exc:
        return "Attachments refused: " + "; ".join(exc.messages)
    return ""


def _answer(row: InboundEmail) -> None:
    """One polite answer where it is safe: a known customer, a human message, at most
    INBOUND_ANSWERS_PER_DAY per address."""
    if row.reason not in ANSWERED_REASONS or not row.sender:
        return
    user = user_by_email(email=row.sender)
    if user is None or not is_customer(user):
        return
    if not rate_limit_take(
        scope="inbound-answer",
        ident=row.sender,
        limit=settings.INBOUND_ANSWERS_PER_DAY,
        window=ANSWER_WINDOW_SECONDS,
    ):
        return
    with transaction.atomic():
        outbox_enqueue(
            kind=notifications.INBOUND_REFUSED,
            key=f"{notifications.INBOUND_REFUSED}:{row.pk}",
            payload={"inbound_id": row.pk},
        )
        InboundEmail.objects.filter(pk=row.pk).update(answered=True)
    row.answered = True
