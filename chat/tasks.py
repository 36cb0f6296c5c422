"""Chat tasks, kept under their names for messages queued before the outbox took over
(new ones go through helpdesk.core.outbox); each calls the notifications service."""

from celery import shared_task

from chat import notifications
from chat.services.unanswered import conversations_unanswered_convert
from helpdesk.core.retry import RetryPolicy

RETRY: RetryPolicy = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def chat_transcript_email(conversation_id: int) -> bool:
    return notifications.chat_transcript_send(conversation_id=conversation_id)


@shared_task(**RETRY)
def chat_wait_escalation_notify(items: list[list[int]]) -> None:
    notifications.chat_wait_escalation_notify(items=items)


@shared_task
def chat_unanswered_to_email() -> dict[str, int]:
    """Beat: chats nobody joined within CHAT_UNANSWERED_TO_EMAIL_MINUTES become email
    tickets (idempotent: each chat is claimed by a conditional update)."""
    return conversations_unanswered_convert()
