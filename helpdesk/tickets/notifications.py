"""Ticket emails: who receives each one and what it says. The tasks call these with ids;
each re-reads the rows, so a retried task sends the same email. The services record
each email in the outbox (kinds below) in the transaction of their change."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP
from accounts.selectors import staff_emails
from helpdesk.core.links import portal_url
from helpdesk.core.outbox.services import outbox_handler
from helpdesk.csat.models import RatedKind
from helpdesk.csat.selectors import survey_about
from helpdesk.csat.services import survey_link
from helpdesk.tickets.mail import LOOP_HEADER, message_id_for, ticket_email_send
from helpdesk.tickets.models import InboundEmail, InboundReason, Reply, Ticket

TICKET_CREATED = "tickets.created"
TICKET_REPLY = "tickets.reply"
BUSINESS_CRITICAL = "tickets.business_critical"
SLA_WARNING = "tickets.sla_warning"
SLA_ESCALATION = "tickets.sla_escalation"
TICKET_SOLVED = "tickets.solved"
INBOUND_REFUSED = "tickets.inbound_refused"

# What the polite answer to a refused email says, by reason.
INBOUND_ANSWERS = {
    InboundReason.NOT_ENTITLED: gettext_lazy(
        "Your account does not include Premium email support. Your account's super admin "
        "can add Premium Support with an Enterprise subscription."
    ),
    InboundReason.NOT_ALLOWED: gettext_lazy(
        "Only the person who opened this ticket, or a super admin of the account, can reply to it."
    ),
    InboundReason.TICKET_CLOSED: gettext_lazy(
        "This ticket is closed. Please send a new email to open a new ticket."
    ),
    InboundReason.INVALID: gettext_lazy(
        "It could not be turned into a ticket. Please submit your request in the portal."
    ),
    InboundReason.EMPTY: gettext_lazy("We found no text in it above the quoted message."),
    InboundReason.CHARSET: gettext_lazy(
        "Its text could not be read (its character set does not match its content)."
    ),
    InboundReason.MALFORMED: gettext_lazy("It is not a well-formed email message."),
    "": gettext_lazy("Please contact Premium Support from the portal."),
}


def ticket_webhook_data(ticket: Ticket) -> dict[str, object]:
    """What a webhook says about a ticket: ids and state, no description."""
    return {
        "id": ticket.pk,
        "subject": ticket.subject,
        "status": ticket.status,
        "channel": ticket.channel,
        "business_critical": ticket.business_critical,
        "account": ticket.account_id,
        "requester": ticket.requester_id,
        "assignee": ticket.assignee_id,
        "due_at": ticket.due_at,
        "url": _ticket_admin_page(ticket),
    }


def _ticket_page(ticket: Ticket) -> str:
    return portal_url(reverse("ticket_detail", args=[ticket.pk]))


def _ticket_admin_page(ticket: Ticket) -> str:
    return portal_url(reverse("admin:tickets_ticket_change", args=[ticket.pk]))


@outbox_handler(TICKET_CREATED)
def ticket_created_notify(*, ticket_id: int) -> None:
    """The requester's confirmation, with the deadline in their time zone: the first
    email of the ticket's thread."""
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None:
        return
    requester = ticket.requester
    with translation.override(ticket.language):
        subject = _("[#%(id)s] We received your request: %(subject)s") % {
            "id": ticket.pk,
            "subject": ticket.subject,
        }
    ticket_email_send(
        ticket=ticket,
        name=f"{ticket.pk}.created",
        template="ticket_created",
        subject=subject,
        context={"tz": requester.time_zone, "url": _ticket_page(ticket)},
        to=[requester.email],
        automatic=True,
    )


@outbox_handler(TICKET_REPLY)
def ticket_reply_notify(*, reply_id: int) -> None:
    """A specialist's public reply, to the requester (internal notes send nothing)."""
    reply = Reply.objects.select_related("ticket__requester", "author").filter(pk=reply_id).first()
    if reply is None or not reply.is_public:
        return
    ticket = reply.ticket
    with translation.override(ticket.language):
        subject = _("[#%(id)s] New reply: %(subject)s") % {
            "id": ticket.pk,
            "subject": ticket.subject,
        }
    ticket_email_send(
        ticket=ticket,
        name=f"{ticket.pk}.reply-{reply.pk}",
        template="ticket_reply",
        subject=subject,
        context={"reply": reply, "url": _ticket_page(ticket)},
        to=[ticket.requester.email],
        automatic=False,  # a specialist wrote it
    )


@outbox_handler(TICKET_SOLVED)
def ticket_solved_notify(*, ticket_id: int, event_id: int) -> None:
    """The ticket is solved: the requester may answer to open it again."""
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None:
        return
    with translation.override(ticket.language):
        subject = _("[#%(id)s] Solved: %(subject)s") % {
            "id": ticket.pk,
            "subject": ticket.subject,
        }
    ticket_email_send(
        ticket=ticket,
        name=f"{ticket.pk}.solved-{event_id}",
        template="ticket_solved",
        subject=subject,
        context={"url": _ticket_page(ticket), "rate_url": _rate_url(ticket)},
        to=[ticket.requester.email],
        automatic=True,
    )


def _rate_url(ticket: Ticket) -> str:
    """The signed link to rate the help, while the ticket's survey is open."""
    survey = survey_about(kind=RatedKind.TICKET, item_id=ticket.pk)
    return survey_link(survey) if survey else ""


@outbox_handler(INBOUND_REFUSED)
def inbound_refused_notify(*, inbound_id: int) -> None:
    """One polite answer to an email that was not taken (the services decide when it is
    safe: never to automatic mail, at most INBOUND_ANSWERS_PER_DAY per sender)."""
    inbound = InboundEmail.objects.filter(pk=inbound_id).first()
    if inbound is None or not inbound.sender:
        return
    with translation.override(settings.LANGUAGE_CODE):
        explanation = str(INBOUND_ANSWERS.get(inbound.reason, INBOUND_ANSWERS[""]))
        subject = _("Re: %(subject)s") % {"subject": inbound.subject or _("your email")}
        context = {
            "inbound": inbound,
            "explanation": explanation,
            "subject": subject,
            "url": portal_url(reverse("home")),
        }
        text = render_to_string("tickets/email/inbound_refused.txt", context)
        html = render_to_string("tickets/email/inbound_refused.html", context)
    headers = {
        "Message-ID": message_id_for(f"inbound-{inbound.pk}"),
        # RFC 3834: an automatic answer to a message; auto-responders must not answer it.
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        LOOP_HEADER: "none",
    }
    if inbound.message_id:
        headers["In-Reply-To"] = inbound.message_id
        headers["References"] = inbound.message_id
    mail = EmailMultiAlternatives(subject=subject, body=text, to=[inbound.sender], headers=headers)
    mail.attach_alternative(html, "text/html")
    mail.send()


@outbox_handler(BUSINESS_CRITICAL)
def business_critical_alert(*, ticket_id: int) -> None:
    """A business-critical ticket, to every active specialist."""
    ticket = Ticket.objects.select_related("account", "requester").filter(pk=ticket_id).first()
    if ticket is None:
        return
    recipients = staff_emails(group=SPECIALISTS_GROUP)
    if not recipients:
        return
    body = render_to_string(
        "tickets/email/business_critical.txt",
        {"ticket": ticket, "url": _ticket_admin_page(ticket)},
    )
    send_mail(f"[#{ticket.pk}] Business-critical: {ticket.subject}", body, None, recipients)


@outbox_handler(SLA_WARNING)
def sla_warning_notify(*, ticket_ids: list[int]) -> None:
    """Deadline warning: to each ticket's assignee, or to the specialists if unassigned;
    one digest per set of recipients. Tickets answered meanwhile are left out."""
    tickets = Ticket.objects.filter(pk__in=ticket_ids, answered_at__isnull=True).select_related(
        "assignee"
    )
    by_recipients: dict[tuple[str, ...], list[Ticket]] = {}
    specialists: tuple[str, ...] | None = None
    for ticket in tickets:
        if ticket.assignee and ticket.assignee.is_active:
            recipients: tuple[str, ...] = (ticket.assignee.email,)
        else:
            if specialists is None:
                specialists = tuple(staff_emails(group=SPECIALISTS_GROUP))
            recipients = specialists
        if recipients:
            by_recipients.setdefault(recipients, []).append(ticket)
    for recipients, group in by_recipients.items():
        body = render_to_string(
            "tickets/email/sla_digest.txt",
            {
                "intro": "These tickets are close to their first-reply deadline:",
                "items": [{"ticket": t, "url": _ticket_admin_page(t)} for t in group],
            },
        )
        send_mail(
            f"Deadline warning: {len(group)} ticket(s) due soon", body, None, list(recipients)
        )


@outbox_handler(SLA_ESCALATION)
def sla_escalation_notify(*, items: list[list[int | str]]) -> None:
    """Breaches and escalations, as [ticket id, step, level]: one digest to the leads."""
    levels = {int(pk): (step, int(level)) for pk, step, level in items}
    leads = staff_emails(group=LEADS_GROUP)
    if not leads:
        return
    rows = [
        {
            "ticket": t,
            "step": levels[t.pk][0],
            "level": levels[t.pk][1],
            "url": _ticket_admin_page(t),
        }
        for t in Ticket.objects.filter(pk__in=levels).select_related("account")
    ]
    body = render_to_string(
        "tickets/email/sla_digest.txt",
        {"intro": "These tickets have passed their first-reply deadline:", "items": rows},
    )
    top = max(level for _, level in levels.values())
    send_mail(f"SLA escalation (level {top}): {len(rows)} ticket(s)", body, None, leads)
