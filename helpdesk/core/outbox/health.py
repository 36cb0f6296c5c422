"""The outbox in the readiness check: deliveries that wait too long mean the broker or
the workers are away (docs/operations.md, "Outages")."""

import dataclasses
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from helpdesk.core.outbox.selectors import outbox_backlog


@dataclasses.dataclass
class OutboxBacklog(HealthCheck):
    async def run(self) -> None:
        backlog = await sync_to_async(outbox_backlog)()
        age = backlog.oldest_age
        limit = timedelta(seconds=settings.OUTBOX_HEALTH_MAX_AGE_SECONDS)
        if age is not None and age > limit:
            raise ServiceUnavailable(
                f"outbox: {backlog.waiting} waiting, the oldest for "
                f"{int(age.total_seconds())} s (limit {int(limit.total_seconds())} s)"
            )
