"""Email notifications for tickets. Queued on commit by the services; they take ids,
re-fetch, and are safe to retry. Each keeps the name it had in helpdesk/tasks.py, where
it lived before, so messages queued before an upgrade still find it."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP
from accounts.selectors import staff_emails

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


def _portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@shared_task(name="helpdesk.tasks.ticket_created_notify", **RETRY)
def ticket_created_notify(ticket_id: int) -> None:
    from helpdesk.tickets.models import Ticket

    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None:
        return
    requester = ticket.requester
    with translation.override("en"):
        body = render_to_string(
            "helpdesk/email/ticket_created.txt",
            {
                "ticket": ticket,
                "tz": requester.time_zone,
                "url": _portal_url(reverse("ticket_detail", args=[ticket.pk])),
            },
        )
    send_mail(
        f"[#{ticket.pk}] We received your request: {ticket.subject}",
        body,
        None,
        [requester.email],
    )


@shared_task(name="helpdesk.tasks.ticket_reply_notify", **RETRY)
def ticket_reply_notify(reply_id: int) -> None:
    from helpdesk.tickets.models import Reply

    reply = Reply.objects.select_related("ticket__requester", "author").filter(pk=reply_id).first()
    if reply is None or not reply.is_public:
        return
    ticket = reply.ticket
    with translation.override("en"):
        body = render_to_string(
            "helpdesk/email/ticket_reply.txt",
            {
                "ticket": ticket,
                "reply": reply,
                "url": _portal_url(reverse("ticket_detail", args=[ticket.pk])),
            },
        )
    send_mail(f"[#{ticket.pk}] New reply: {ticket.subject}", body, None, [ticket.requester.email])


@shared_task(name="helpdesk.tasks.business_critical_alert", **RETRY)
def business_critical_alert(ticket_id: int) -> None:
    from helpdesk.tickets.models import Ticket

    ticket = Ticket.objects.select_related("account", "requester").filter(pk=ticket_id).first()
    if ticket is None:
        return
    recipients = staff_emails(group=SPECIALISTS_GROUP)
    if not recipients:
        return
    body = render_to_string(
        "helpdesk/email/business_critical.txt",
        {
            "ticket": ticket,
            "url": _portal_url(reverse("admin:tickets_ticket_change", args=[ticket.pk])),
        },
    )
    send_mail(f"[#{ticket.pk}] Business-critical: {ticket.subject}", body, None, recipients)


@shared_task(name="helpdesk.tasks.sla_warning_notify", **RETRY)
def sla_warning_notify(ticket_ids: list[int]) -> None:
    """Deadline warning: to each ticket's assignee, or to the specialists if unassigned."""
    from helpdesk.tickets.models import Ticket

    tickets = list(
        Ticket.objects.filter(pk__in=ticket_ids, answered_at__isnull=True).select_related(
            "assignee"
        )
    )
    by_recipient: dict[tuple[str, ...], list] = {}
    specialists = None
    for ticket in tickets:
        if ticket.assignee and ticket.assignee.is_active:
            recipients = (ticket.assignee.email,)
        else:
            if specialists is None:
                specialists = tuple(staff_emails(group=SPECIALISTS_GROUP))
            recipients = specialists
        if recipients:
            by_recipient.setdefault(recipients, []).append(ticket)
    for recipients, group in by_recipient.items():
        body = render_to_string(
            "helpdesk/email/sla_digest.txt",
            {
                "intro": "These tickets are close to their first-reply deadline:",
                "items": [
                    {
                        "ticket": t,
                        "url": _portal_url(reverse("admin:tickets_ticket_change", args=[t.pk])),
                    }
                    for t in group
                ],
            },
        )
        send_mail(
            f"Deadline warning: {len(group)} ticket(s) due soon", body, None, list(recipients)
        )


@shared_task(name="helpdesk.tasks.sla_escalation_notify", **RETRY)
def sla_escalation_notify(items: list[list]) -> None:
    """Breaches and escalations: one digest email to the leads per sweep."""
    from helpdesk.tickets.models import Ticket

    levels = {int(pk): (step, int(level)) for pk, step, level in items}
    tickets = Ticket.objects.filter(pk__in=levels).select_related("account")
    leads = staff_emails(group=LEADS_GROUP)
    if not leads:
        return
    rows = [
        {
            "ticket": t,
            "step": levels[t.pk][0],
            "level": levels[t.pk][1],
            "url": _portal_url(reverse("admin:tickets_ticket_change", args=[t.pk])),
        }
        for t in tickets
    ]
    body = render_to_string(
        "helpdesk/email/sla_digest.txt",
        {"intro": "These tickets have passed their first-reply deadline:", "items": rows},
    )
    top = max(level for _, level in levels.values())
    send_mail(f"SLA escalation (level {top}): {len(rows)} ticket(s)", body, None, leads)
