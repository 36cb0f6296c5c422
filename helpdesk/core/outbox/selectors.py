"""What the outbox holds, for leads and the health check."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from helpdesk.core.outbox.models import OutboxMessage, OutboxStatus

_WAITING = [OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.SENDING]


@dataclass(frozen=True)
class Backlog:
    # Rows still to deliver (waiting, being sent, or failed and due again).
    waiting: int
    # Of those, rows whose last attempt failed.
    failed: int
    # Rows that need a lead's decision (out of attempts, or interrupted).
    stopped: int
    oldest_waiting_at: datetime | None

    @property
    def oldest_age(self) -> timedelta | None:
        return timezone.now() - self.oldest_waiting_at if self.oldest_waiting_at else None


def outbox_backlog() -> Backlog:
    """One aggregate query over the outbox (the status index serves it)."""
    found = OutboxMessage.objects.filter(status__in=[*_WAITING, OutboxStatus.STOPPED]).aggregate(
        waiting=Count("pk", filter=Q(status__in=_WAITING)),
        failed=Count("pk", filter=Q(status=OutboxStatus.FAILED)),
        stopped=Count("pk", filter=Q(status=OutboxStatus.STOPPED)),
        oldest=Min("created_at", filter=Q(status__in=_WAITING)),
    )
    return Backlog(
        waiting=found["waiting"],
        failed=found["failed"],
        stopped=found["stopped"],
        oldest_waiting_at=found["oldest"],
    )
