"""Email notifications for callback requests. Queued on commit by the services; they
take ids, re-fetch, and are safe to retry. Each keeps the name it had in
helpdesk/tasks.py, where it lived before, so messages queued before an upgrade still
find it."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.permissions import LEADS_GROUP
from accounts.selectors import staff_emails

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


def _portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@shared_task(name="helpdesk.tasks.callback_abandoned_notify", **RETRY)
def callback_abandoned_notify(callback_id: int) -> None:
    from helpdesk.callbacks.models import CallbackRequest

    callback = CallbackRequest.objects.select_related("requester").filter(pk=callback_id).first()
    if callback is None:
        return
    body = render_to_string(
        "helpdesk/email/callback_abandoned.txt",
        {
            "callback": callback,
            "phone_line": settings.SUPPORT_PHONE_NUMBER,
            "url": _portal_url(reverse("ticket_list")),
        },
    )
    send_mail(
        f"We could not reach you about: {callback.topic}", body, None, [callback.requester.email]
    )


@shared_task(name="helpdesk.tasks.callback_escalation_notify", **RETRY)
def callback_escalation_notify(items: list[list]) -> None:
    """Callbacks not started within their target: one email to the leads per sweep."""
    from helpdesk.callbacks.models import CallbackRequest

    levels = {int(pk): int(level) for pk, level in items}
    leads = staff_emails(group=LEADS_GROUP)
    if not leads:
        return
    lines = [
        f"Callback #{c.pk} {c.topic} ({c.account.name}, {c.phone}): waiting since "
        f"{c.created_at:%H:%M} UTC, level {levels[c.pk]}\n  "
        + _portal_url(reverse("admin:callbacks_callbackrequest_change", args=[c.pk]))
        for c in CallbackRequest.objects.filter(pk__in=levels).select_related("account")
    ]
    top = max(levels.values())
    send_mail(
        f"Callback escalation (level {top}): {len(lines)} not started",
        "These callback requests were not started within their target:\n\n" + "\n".join(lines),
        None,
        leads,
    )
