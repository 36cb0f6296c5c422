"""Email notifications for tickets. Queued on commit by the services; they take ids,
re-fetch, and are safe to retry."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.permissions import SPECIALISTS_GROUP

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


def _portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@shared_task(**RETRY)
def ticket_created_notify(ticket_id: int) -> None:
    from helpdesk.models import Ticket

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


@shared_task(**RETRY)
def ticket_reply_notify(reply_id: int) -> None:
    from helpdesk.models import Reply

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


@shared_task(**RETRY)
def business_critical_alert(ticket_id: int) -> None:
    from helpdesk.models import Ticket

    ticket = Ticket.objects.select_related("account", "requester").filter(pk=ticket_id).first()
    if ticket is None:
        return
    recipients = list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=SPECIALISTS_GROUP)
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    body = render_to_string(
        "helpdesk/email/business_critical.txt",
        {
            "ticket": ticket,
            "url": _portal_url(reverse("admin:helpdesk_ticket_change", args=[ticket.pk])),
        },
    )
    send_mail(f"[#{ticket.pk}] Business-critical: {ticket.subject}", body, None, recipients)
