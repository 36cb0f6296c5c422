"""Account tasks, kept under their names for messages queued before the outbox took
over (new ones go through helpdesk.core.outbox); each calls the notifications service."""

from celery import shared_task

from accounts import notifications
from helpdesk.core.retry import RetryPolicy

RETRY: RetryPolicy = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def password_reset_email(email: str, language: str) -> int:
    return notifications.password_reset_send(email=email, language=language)
