"""Readiness checks of the infrastructure: the broker, the channel layer and a Celery
worker answering. Each passes at once where the portal runs without that part (tasks
eager, the in-process layer), as in tests and on a laptop without Redis."""

import dataclasses
from typing import Any

from asgiref.sync import sync_to_async
from celery import current_app
from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:200]


def _broker_reachable() -> None:
    app = current_app
    with app.connection_for_write() as conn:
        # One attempt within the timeout: a probe must not wait out the broker's retries.
        conn.ensure_connection(max_retries=0, timeout=settings.READYZ_TIMEOUT_SECONDS)
        conn.default_channel  # noqa: B018 - the redis transport connects on first channel


@dataclasses.dataclass
class Broker(HealthCheck):
    async def run(self) -> None:
        if current_app.conf.task_always_eager:
            return
        try:
            await sync_to_async(_broker_reachable, thread_sensitive=False)()
        except Exception as exc:
            raise ServiceUnavailable(f"broker unreachable ({_describe(exc)})") from exc


def _worker_names() -> list[str]:
    timeout = settings.READYZ_TIMEOUT_SECONDS
    with current_app.connection_for_write() as conn:
        # One connection attempt (the ping alone would wait out the broker's retries);
        # then the ping returns with the first answer, or after the timeout.
        conn.ensure_connection(max_retries=0, timeout=timeout)
        replies: list[dict[str, Any]] = (
            current_app.control.ping(timeout=timeout, limit=1, connection=conn) or []
        )
    return [name for reply in replies for name in reply]


@dataclasses.dataclass
class WorkerAnswers(HealthCheck):
    """A Celery worker answers a broadcast ping through the broker (`celery inspect
    ping`). Which queues are served is told by the sweep (queue sla) and the outbox
    (the default queue) checks: their work is done only while a worker consumes them."""

    async def run(self) -> None:
        if current_app.conf.task_always_eager:
            return
        try:
            names = await sync_to_async(_worker_names, thread_sensitive=False)()
        except Exception as exc:
            raise ServiceUnavailable(f"no worker could be asked ({_describe(exc)})") from exc
        if not names:
            raise ServiceUnavailable(
                f"no Celery worker answered a ping within {settings.READYZ_TIMEOUT_SECONDS} s"
            )


@dataclasses.dataclass
class ChannelLayer(HealthCheck):
    """Every Redis of the channel layer answers a PING (the layer's own pools belong to
    the event loops of the sockets, so the probe opens a connection of its own)."""

    async def run(self) -> None:
        config = settings.CHANNEL_LAYERS["default"]
        hosts = config.get("CONFIG", {}).get("hosts")
        if not hosts:
            return
        from channels_redis.utils import create_pool, decode_hosts
        from redis import asyncio as aioredis

        for host in decode_hosts(hosts):
            probe = {
                **host,
                "socket_timeout": settings.READYZ_TIMEOUT_SECONDS,
                "socket_connect_timeout": settings.READYZ_TIMEOUT_SECONDS,
                "retry": None,
            }
            client = aioredis.Redis(connection_pool=create_pool(probe))
            try:
                await client.ping()
            except Exception as exc:
                raise ServiceUnavailable(
                    f"channel layer: Redis unreachable ({_describe(exc)})"
                ) from exc
            finally:
                await client.aclose(close_connection_pool=True)
