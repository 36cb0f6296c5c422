"""Chat tasks, kept under their names for messages queued before the outbox took over
(new ones go through helpdesk.core.outbox); each calls the notifications service."""

from celery import shared_task

from chat import notifications
from helpdesk.core.retry import RetryPolicy

RETRY: RetryPolicy = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def chat_transcript_email(conversation_id: int) -> bool:
    return notifications.chat_transcript_send(conversation_id=conversation_id)


@shared_task(**RETRY)
def chat_wait_escalation_notify(items: list[list[int]]) -> None:
    notifications.chat_wait_escalation_notify(items=items)
