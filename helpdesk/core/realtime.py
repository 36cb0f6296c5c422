"""The one door to the channel layer from sync code (services, tasks), and the calls
that run a service for async code (consumers) and send what it broadcast.

Events are sent after the surrounding transaction commits, so a browser never hears
about a row that was rolled back, and a stored row is always announced."""

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import DatabaseError, close_old_connections, transaction

logger = logging.getLogger(__name__)

STAFF_GROUP = "staff"


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
    except Exception:
        logger.exception("broadcast to %s failed", group)


_collecting = threading.local()


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Queue an event for a group, sent once the current transaction commits.

    Inside `broadcasts_collected()` (a consumer calling a service) the committed events
    are handed back to the consumer, which sends them from its own event loop: that
    saves two thread hops per message, which the benchmark in bench/ shows is most of
    the cost of a stored message."""

    def send() -> None:
        collected = getattr(_collecting, "events", None)
        if collected is not None:
            collected.append((group, event))
        else:
            broadcast_now(group, event)

    transaction.on_commit(send)


@contextmanager
def broadcasts_collected() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Collect, instead of sending, the events committed inside this block (this thread)."""
    events: list[tuple[str, dict[str, Any]]] = []
    _collecting.events = events
    try:
        yield events
    finally:
        _collecting.events = None


async def broadcast_collected(events: list[tuple[str, dict[str, Any]]]) -> None:
    """Send events collected by `broadcasts_collected()`: all of them already committed."""
    layer = get_channel_layer()
    if layer is None:
        return
    for group, event in events:
        try:
            await layer.group_send(group, event)
        except Exception:
            logger.exception("broadcast to %s failed", group)


def _run_collecting(service: Callable[..., Any], kwargs: dict[str, Any]) -> tuple[Any, list]:
    with broadcasts_collected() as events:
        return service(**kwargs), events


async def call_service(service: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a service in the database thread; send what it broadcast, once committed,
    from this event loop."""
    result, events = await database_sync_to_async(_run_collecting)(service, kwargs)
    await broadcast_collected(events)
    return result


def _run_message_service(service: Callable[..., Any], kwargs: dict[str, Any]) -> tuple[Any, list]:
    try:
        return _run_collecting(service, kwargs)
    except DatabaseError:
        # A broken connection is closed here, so the client's retry gets a new one.
        close_old_connections()
        raise


async def call_message_service(service: Callable[..., Any], **kwargs: Any) -> Any:
    """`call_service` for the message path, in the same database thread, without
    database_sync_to_async's close_old_connections() before and after: on PostgreSQL
    that re-arms a health-check query before every message (bench/). The connection's
    age is still enforced by every other database call of the process."""
    result, events = await sync_to_async(_run_message_service)(service, kwargs)
    await broadcast_collected(events)
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
