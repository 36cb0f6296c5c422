"""The SLA sweep in the readiness check: deadlines are enforced only while it runs."""

import dataclasses
from datetime import datetime

from asgiref.sync import sync_to_async
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from sla.sweep import sweep_is_stale


@dataclasses.dataclass
class SweepRecent(HealthCheck):
    async def run(self) -> None:
        stale = await sync_to_async(sweep_is_stale)()
        if stale is None:
            raise ServiceUnavailable("the SLA sweep has never run")
        if isinstance(stale, datetime):
            raise ServiceUnavailable(f"the SLA sweep last ran at {stale.isoformat()}")
