"""Ticket emails: who receives each one and what it says. The tasks call these with ids;
each re-reads the rows, so a retried task sends the same email. The services record
each email in the outbox (kinds below) in the transaction of their change."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP
from accounts.selectors import staff_emails
from helpdesk.core.links import portal_url
from helpdesk.core.outbox.services import outbox_handler
from helpdesk.csat.models import RatedKind
from helpdesk.csat.selectors import survey_about
from helpdesk.csat.services import survey_link
from helpdesk.tickets.models import Reply, Ticket

TICKET_CREATED = "tickets.created"
TICKET_REPLY = "tickets.reply"
BUSINESS_CRITICAL = "tickets.business_critical"
SLA_WARNING = "tickets.sla_warning"
SLA_ESCALATION = "tickets.sla_escalation"
TICKET_SOLVED = "tickets.solved"


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
    """The requester's confirmation, with the deadline in their time zone."""
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None:
        return
    requester = ticket.requester
    with translation.override("en"):
        body = render_to_string(
            "tickets/email/ticket_created.txt",
            {"ticket": ticket, "tz": requester.time_zone, "url": _ticket_page(ticket)},
        )
    send_mail(
        f"[#{ticket.pk}] We received your request: {ticket.subject}",
        body,
        None,
        [requester.email],
    )


@outbox_handler(TICKET_REPLY)
def ticket_reply_notify(*, reply_id: int) -> None:
    """A specialist's public reply, to the requester (internal notes send nothing)."""
    reply = Reply.objects.select_related("ticket__requester", "author").filter(pk=reply_id).first()
    if reply is None or not reply.is_public:
        return
    ticket = reply.ticket
    with translation.override("en"):
        body = render_to_string(
            "tickets/email/ticket_reply.txt",
            {"ticket": ticket, "reply": reply, "url": _ticket_page(ticket)},
        )
    send_mail(f"[#{ticket.pk}] New reply: {ticket.subject}", body, None, [ticket.requester.email])


@outbox_handler(TICKET_SOLVED)
def ticket_solved_notify(*, ticket_id: int) -> None:
    """The ticket was solved: tell the requester, with the signed link to rate the help."""
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None or ticket.status != "solved":
        return
    survey = survey_about(kind=RatedKind.TICKET, item_id=ticket.pk)
    with translation.override("en"):
        body = render_to_string(
            "tickets/email/ticket_solved.txt",
            {
                "ticket": ticket,
                "url": _ticket_page(ticket),
                "rate_url": survey_link(survey) if survey else "",
            },
        )
    send_mail(f"[#{ticket.pk}] Solved: {ticket.subject}", body, None, [ticket.requester.email])


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
