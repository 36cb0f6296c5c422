"""Chat tasks: take ids, re-fetch, act once."""

from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from chat.models import Conversation, ConversationStatus
from chat.selectors import messages_in_order


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def chat_transcript_email(self: "Task[Any, bool]", conversation_id: int) -> bool:
    """Email the transcript of an ended chat to its customer, once.

    The conditional update claims the send, so a retry or a second worker sends nothing
    twice; if the mail server fails, the claim is released and the task retried."""
    claimed = Conversation.objects.filter(
        pk=conversation_id, status=ConversationStatus.ENDED, transcript_emailed_at__isnull=True
    ).update(transcript_emailed_at=timezone.now())
    if not claimed:
        return False
    conversation = Conversation.objects.select_related("customer", "specialist").get(
        pk=conversation_id
    )
    messages = messages_in_order(conversation=conversation)
    body = render_to_string(
        "chat/email/transcript.txt", {"conversation": conversation, "messages": messages}
    )
    try:
        send_mail(
            f"Your Premium chat transcript: {conversation.topic}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [conversation.customer.email],
        )
    except Exception as exc:
        Conversation.objects.filter(pk=conversation_id).update(transcript_emailed_at=None)
        raise self.retry(exc=exc) from exc
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def chat_wait_escalation_notify(items: list[list[int]]) -> None:
    """Chats still waiting for a specialist past their limit: one email to the leads."""
    from accounts.permissions import LEADS_GROUP
    from accounts.selectors import staff_emails

    levels = {int(pk): int(level) for pk, level in items}
    leads = staff_emails(group=LEADS_GROUP)
    if not leads:
        return
    lines = [
        f"Chat #{c.pk} {c.topic} ({c.account.name}): waiting since {c.created_at:%H:%M} UTC, "
        f"level {levels[c.pk]}\n  {settings.PORTAL_BASE_URL.rstrip('/')}/chat/console/"
        for c in Conversation.objects.filter(pk__in=levels).select_related("account")
    ]
    top = max(levels.values())
    send_mail(
        f"Chat wait escalation (level {top}): {len(lines)} chat(s) unanswered",
        "These chats are waiting for a specialist past their limit:\n\n" + "\n".join(lines),
        None,
        leads,
    )
