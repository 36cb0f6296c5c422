"""PostgreSQL only: a psycopg AsyncConnection per event loop, for the one statement on
every chat message's path (chat.services.amessage_store).

Django's ORM is synchronous, so an async consumer reaches the database through a thread
hop (sync_to_async) and Django's cursor layers. bench/chat_roundtrip.py and a write-only
measurement put that at ~0.4 ms at p50 and ~0.8 ms at p99 of each message on PostgreSQL.
This connection uses the default database's settings, autocommit, and is closed with its
event loop (as channels-redis does with its own connections)."""

import asyncio
import logging
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


CONNECT_TIMEOUT_SECONDS = 5
# A statement that takes longer is abandoned (and the connection with it); the message
# then takes the ORM path, where a client_id resend finds it if it did commit.
STATEMENT_SECONDS = 10


class _LoopConnection:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.conn: psycopg.AsyncConnection | None = None


_by_loop: dict[asyncio.AbstractEventLoop, _LoopConnection] = {}


def available() -> bool:
    return connections["default"].vendor == "postgresql"


def _close_with(loop: asyncio.AbstractEventLoop, holder: _LoopConnection) -> None:
    original = loop.close
    # This loop's close is wrapped by an instance attribute, which mypy refuses on a
    # method; the loop is patched through an untyped name.
    patched: Any = loop

    def close(*args: Any, **kwargs: Any) -> None:
        _by_loop.pop(loop, None)
        conn = holder.conn
        if conn is not None and not conn.closed:
            try:
                loop.run_until_complete(conn.close())
            except Exception:
                logger.warning("closing the event loop's database connection failed")
        patched.close = original
        original(*args, **kwargs)

    patched.close = close


async def connection() -> psycopg.AsyncConnection:
    """This event loop's connection, opened on first use and after a failure."""
    loop = asyncio.get_running_loop()
    holder = _by_loop.get(loop)
    if holder is None:
        holder = _by_loop[loop] = _LoopConnection()
        _close_with(loop, holder)
    if holder.conn is None or holder.conn.closed:
        async with holder.lock:
            if holder.conn is None or holder.conn.closed:
                params = connections["default"].get_connection_params()
                params.pop("cursor_factory", None)
                params.pop("context", None)
                # Server-side prepared statements from the first execution (~0.15 ms
                # less per message here); off for poolers that cannot keep them.
                if settings.ASYNC_DB_PREPARE_STATEMENTS:
                    params["prepare_threshold"] = 0
                # A peer that vanished (failover, a firewall dropping idle sockets) is
                # noticed in seconds, not at the kernel's TCP timeout: every chat write of
                # the process would wait behind it.
                params.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
                params.setdefault("keepalives", 1)
                params.setdefault("keepalives_idle", 30)
                params.setdefault("keepalives_interval", 10)
                params.setdefault("keepalives_count", 3)
                holder.conn = await psycopg.AsyncConnection.connect(**params, autocommit=True)
    return holder.conn


async def discard(conn: psycopg.AsyncConnection) -> None:
    """Drop a connection that failed: the next call opens a new one. Only that one: a
    writer that failed late must not close the new connection another writer is using."""
    holder = _by_loop.get(asyncio.get_running_loop())
    if holder is not None and holder.conn is conn:
        holder.conn = None
    try:
        await conn.close()
    except Exception:
        logger.info("discarding a broken database connection", exc_info=True)


async def fetchall(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run one statement on this event loop's connection (autocommit: committed once it
    returns) and return its rows. Raises psycopg.Error or TimeoutError; after any
    failure but a refused row (an IntegrityError) the connection is dropped, so the next
    call opens a new one."""
    conn = await connection()
    try:
        async with asyncio.timeout(STATEMENT_SECONDS), conn.cursor() as cursor:
            await cursor.execute(sql, params)
            return await cursor.fetchall()
    except psycopg.IntegrityError:
        raise  # the statement was refused; the connection is fine
    except BaseException:
        await discard(conn)
        raise
