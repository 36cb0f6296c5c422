"""Callback email tasks. Queued on commit by the services with ids; the notifications
service re-reads the rows, decides the recipients and renders the mail, so a retry is
harmless. Each keeps the name it had in helpdesk/tasks.py, where it lived before, so
messages queued before an upgrade still find it."""

from celery import shared_task

from helpdesk.callbacks import notifications
from helpdesk.core.retry import RetryPolicy

RETRY: RetryPolicy = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="helpdesk.tasks.callback_abandoned_notify", **RETRY)
def callback_abandoned_notify(callback_id: int) -> None:
    notifications.callback_abandoned_notify(callback_id=callback_id)


@shared_task(name="helpdesk.tasks.callback_escalation_notify", **RETRY)
def callback_escalation_notify(items: list[list[int]]) -> None:
    notifications.callback_escalation_notify(items=items)
