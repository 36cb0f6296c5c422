"""Ticket email tasks. Queued on commit by the services with ids; the notifications
service re-reads the rows, decides the recipients and renders the mail, so a retry is
harmless. Each keeps the name it had in helpdesk/tasks.py, where it lived before, so
messages queued before an upgrade still find it."""

from celery import shared_task

from helpdesk.core.retry import RetryPolicy
from helpdesk.tickets import notifications

RETRY: RetryPolicy = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="helpdesk.tasks.ticket_created_notify", **RETRY)
def ticket_created_notify(ticket_id: int) -> None:
    notifications.ticket_created_notify(ticket_id=ticket_id)


@shared_task(name="helpdesk.tasks.ticket_reply_notify", **RETRY)
def ticket_reply_notify(reply_id: int) -> None:
    notifications.ticket_reply_notify(reply_id=reply_id)


@shared_task(name="helpdesk.tasks.business_critical_alert", **RETRY)
def business_critical_alert(ticket_id: int) -> None:
    notifications.business_critical_alert(ticket_id=ticket_id)


@shared_task(name="helpdesk.tasks.sla_warning_notify", **RETRY)
def sla_warning_notify(ticket_ids: list[int]) -> None:
    notifications.sla_warning_notify(ticket_ids=ticket_ids)


@shared_task(name="helpdesk.tasks.sla_escalation_notify", **RETRY)
def sla_escalation_notify(items: list[list[int | str]]) -> None:
    notifications.sla_escalation_notify(items=items)


@shared_task(name="tickets.inbound_poll", soft_time_limit=300, time_limit=330)
def inbound_poll() -> dict[str, int]:
    """One IMAP poll (beat, every INBOUND_POLL_INTERVAL_SECONDS when INBOUND_IMAP_URL is
    set). A second worker polling at once is harmless: each message is claimed once."""
    from dataclasses import asdict

    from helpdesk.tickets.inbound_imap import inbound_poll as poll

    return asdict(poll())
