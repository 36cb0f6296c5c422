"""The realtime door: the only code that hands events to the channel layer.

Events about stored rows are sent after the transaction that stored them commits, so a
browser never hears about a row that was rolled back, and a stored row is always
announced. Sync code (services, tasks) calls `broadcast_on_commit`; a consumer runs a
service through `call_service`, which sends the service's committed events from the
consumer's own event loop; `broadcast_committed` sends an event whose row an event-loop
write has already committed; `broadcast_ephemeral` sends one that has no row behind it."""

import asyncio
import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import DatabaseError, close_old_connections, transaction
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)

STAFF_GROUP = "staff"

Event = tuple[str, dict[str, Any]]

# Set by `call_service` around the service it runs. The database thread runs the service
# in a copy of the caller's context, so the list is the caller's: each consumer task has
# its own, and nothing stays behind once the call returns.
_committed_here: ContextVar[list[Event] | None] = ContextVar("committed_here", default=None)


def broadcast_now(group: str, event: dict[str, Any]) -> None:
    """Send an event to a group right away. Delivery is best effort: a channel layer
    outage is logged, never raised into the caller, because the row is already stored."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        # Only test harnesses (Playwright's sync API) run sync code inside a loop.
        logger.warning("broadcast to %s skipped: called from inside an event loop", group)
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except (OSError, RedisConnectionError) as exc:
        # Redis is away: one line per event, not a traceback each (sockets catch up on
        # resume; what must not be lost goes through the outbox).
        logger.warning("broadcast to %s failed: %s", group, exc)
    except Exception:
        logger.exception("broadcast to %s failed", group)


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Queue an event for a group, sent once the current transaction commits (at once
    outside a transaction, where the row is already committed).

    Under `call_service` (a consumer running a service) the committed event is handed
    back to the consumer, which sends it from its own event loop: sending it from here
    would cost two thread hops (into the loop and back), which the benchmark in bench/
    showed to be most of the cost of a stored message."""

    def send() -> None:
        collected = _committed_here.get()
        if collected is not None:
            collected.append((group, event))
        else:
            broadcast_now(group, event)

    transaction.on_commit(send)


async def broadcast_committed(events: list[Event]) -> None:
    """Send events from async code, in order, whose rows are already committed."""
    layer = get_channel_layer()
    if layer is None:
        return
    for group, event in events:
        try:
            await layer.group_send(group, event)
        except Exception:
            logger.exception("broadcast to %s failed", group)


def _collecting(service: Callable[..., Any], kwargs: dict[str, Any]) -> tuple[Any, list[Event]]:
    events: list[Event] = []
    token = _committed_here.set(events)
    try:
        return service(**kwargs), events
    finally:
        _committed_here.reset(token)


async def call_service(service: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a service in the database thread; send what it broadcast, once committed,
    from this event loop."""
    result, events = await database_sync_to_async(_collecting)(service, kwargs)
    await broadcast_committed(events)
    return result


def _collecting_on_message_path(
    service: Callable[..., Any], kwargs: dict[str, Any]
) -> tuple[Any, list[Event]]:
    try:
        return _collecting(service, kwargs)
    except DatabaseError:
        # A broken connection is closed here, so the client's retry gets a new one.
        close_old_connections()
        raise


async def call_message_service(service: Callable[..., Any], **kwargs: Any) -> Any:
    """`call_service` for the chat message path, in the same database thread, without
    database_sync_to_async's close_old_connections() before and after: on PostgreSQL
    that re-arms a health-check query before every message (bench/). The connection's
    age is still enforced by every other database call of the process."""
    result, events = await sync_to_async(_collecting_on_message_path)(service, kwargs)
    await broadcast_committed(events)
    return result


async def broadcast_ephemeral(group: str, event: dict[str, Any]) -> None:
    """Send an event that has no row behind it (typing) from async code. Lost if the
    layer is down, which is harmless: typing is a hint, not data."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(group, event)
    except Exception:
        logger.warning("ephemeral broadcast to %s failed", group)


# Group names. Everything the chat sends is in a group prefixed "chat." so it never
# clashes with the reserved STAFF_GROUP of the SLA alerts.
CONSOLE_GROUP = "chat.console"
QUEUE_GROUP = "chat.queue"


def conversation_group(conversation_id: int) -> str:
    return f"chat.conversation.{conversation_id}"


def user_group(user_id: int) -> str:
    return f"chat.user.{user_id}"


def account_group(account_id: int) -> str:
    return f"chat.account.{account_id}"
