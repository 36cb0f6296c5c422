"""Callback emails: who receives each one and what it says. The tasks call these with
ids; each re-reads the rows, so a retried task sends the same email. The services record
each email in the outbox (kinds below) in the transaction of their change."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.permissions import LEADS_GROUP
from accounts.selectors import staff_emails
from helpdesk.callbacks.models import CallbackRequest
from helpdesk.core.links import portal_url
from helpdesk.core.outbox.services import outbox_handler

CALLBACK_ABANDONED = "callbacks.abandoned"
CALLBACK_ESCALATION = "callbacks.escalation"


def callback_webhook_data(callback: CallbackRequest) -> dict[str, object]:
    """What a webhook says about a callback request: ids and state, not the number."""
    return {
        "id": callback.pk,
        "topic": callback.topic,
        "status": callback.status,
        "account": callback.account_id,
        "requester": callback.requester_id,
        "holder": callback.holder_id,
        "due_at": callback.due_at,
        "created_at": callback.created_at,
    }


@outbox_handler(CALLBACK_ABANDONED)
def callback_abandoned_notify(*, callback_id: int) -> None:
    """Three calls did not reach the customer: tell them, with the other ways in."""
    callback = CallbackRequest.objects.select_related("requester").filter(pk=callback_id).first()
    if callback is None:
        return
    body = render_to_string(
        "callbacks/email/callback_abandoned.txt",
        {
            "callback": callback,
            "phone_line": settings.SUPPORT_PHONE_NUMBER,
            "url": portal_url(reverse("ticket_list")),
        },
    )
    send_mail(
        f"We could not reach you about: {callback.topic}", body, None, [callback.requester.email]
    )


@outbox_handler(CALLBACK_ESCALATION)
def callback_escalation_notify(*, items: list[list[int]]) -> None:
    """Callbacks not started within their target, as [callback id, level]: one email to
    the leads."""
    levels = {int(pk): int(level) for pk, level in items}
    leads = staff_emails(group=LEADS_GROUP)
    if not leads:
        return
    lines = [
        f"Callback #{c.pk} {c.topic} ({c.account.name}, {c.phone}): waiting since "
        f"{c.created_at:%H:%M} UTC, level {levels[c.pk]}\n  "
        + portal_url(reverse("admin:callbacks_callbackrequest_change", args=[c.pk]))
        for c in CallbackRequest.objects.filter(pk__in=levels).select_related("account")
    ]
    top = max(levels.values())
    send_mail(
        f"Callback escalation (level {top}): {len(lines)} not started",
        "These callback requests were not started within their target:\n\n" + "\n".join(lines),
        None,
        leads,
    )
