"""What every socket that follows its user's rights shares: the periodic re-check.

Each open socket re-checks its user's rights every CHAT_ACCESS_RECHECK_SECONDS, so a
change that sent no signal (a bulk update, a row changed in SQL) still closes it in time.
Done socket by socket, that was one thread hop and a few queries per socket per period:
2,400 idle sockets kept a process at ~480 queries a second and half a core busy
(docs/benchmarks.md, capacity). So a process runs one round per period for all its
sockets: one thread hop, and one check per distinct (socket kind, session, user), whose
answer every socket that shares it applies."""

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Hashable
from typing import Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings

logger = logging.getLogger(__name__)


class Rechecked(Protocol):
    """A socket in the round. `recheck_key` names what its answer depends on (sockets
    with the same key share one check); `recheck_sync` makes the check (in the database
    thread); `recheck_apply` acts on the answer (closes the socket when rights are
    gone) and says whether the socket stays."""

    def recheck_key(self) -> Hashable: ...

    def recheck_sync(self) -> Any: ...

    async def recheck_apply(self, answer: Any) -> bool: ...


def _check_all(members: list[Rechecked]) -> list[tuple[Rechecked, Any]]:
    """Each distinct key checked once; a socket class with a `recheck_batch(members)`
    (one answer per member, in order) checks all its keys in one go."""
    first: dict[Hashable, Rechecked] = {}
    keyed: list[tuple[Rechecked, Hashable]] = []
    for member in members:
        try:
            key = member.recheck_key()
        except Exception:
            logger.warning("socket access re-check failed", exc_info=True)
            continue
        first.setdefault(key, member)
        keyed.append((member, key))
    answers: dict[Hashable, Any] = {}
    by_batch: dict[Any, list[tuple[Hashable, Rechecked]]] = {}
    for key, member in first.items():
        by_batch.setdefault(getattr(type(member), "recheck_batch", None), []).append((key, member))
    for batch, items in by_batch.items():
        try:
            if batch is not None:
                found = batch([member for _, member in items])
                answers.update(zip([key for key, _ in items], found, strict=True))
                continue
        except Exception:
            logger.warning("socket access re-check batch failed", exc_info=True)
        for key, member in items:
            try:
                answers[key] = member.recheck_sync()
            except Exception:
                # That socket stays as it is until the next round; the others still
                # get their answer.
                logger.warning("socket access re-check failed", exc_info=True)
    return [(member, answers[key]) for member, key in keyed if key in answers]


class RecheckRound:
    """The sockets of one event loop and the task that re-checks them."""

    def __init__(self) -> None:
        # Insertion-ordered; a socket is in it from accept() to disconnect().
        self.members: dict[int, Rechecked] = {}
        self.task: asyncio.Task[None] | None = None

    def add(self, member: Rechecked) -> None:
        self.members[id(member)] = member
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.run())

    def discard(self, member: Rechecked) -> None:
        self.members.pop(id(member), None)

    async def run(self) -> None:
        while self.members:
            await asyncio.sleep(max(settings.CHAT_ACCESS_RECHECK_SECONDS, 1))
            await self.once()

    async def once(self) -> None:
        members = list(self.members.values())
        if not members:
            return
        try:
            results = await database_sync_to_async(_check_all)(members)
        except Exception:
            # A database outage keeps every socket; the next round retries.
            logger.warning("socket access re-check round failed", exc_info=True)
            return
        for member, answer in results:
            if id(member) not in self.members:
                continue  # disconnected while the round ran
            try:
                if not await member.recheck_apply(answer):
                    self.discard(member)
            except Exception:
                logger.warning("socket access re-check failed", exc_info=True)


_rounds: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RecheckRound]" = (
    weakref.WeakKeyDictionary()
)


def recheck_round() -> RecheckRound:
    """The round of the running event loop (one per process under an ASGI server)."""
    loop = asyncio.get_running_loop()
    found = _rounds.get(loop)
    if found is None:
        found = _rounds[loop] = RecheckRound()
    return found


def recheck_join(member: Rechecked) -> None:
    recheck_round().add(member)


def recheck_leave(member: Rechecked) -> None:
    with contextlib.suppress(RuntimeError):  # no running loop: nothing to leave
        recheck_round().discard(member)
