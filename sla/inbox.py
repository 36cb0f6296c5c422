"""The staff inbox: everything that waits for a first answer or a next step (tickets,
waiting and held chats, callbacks) in one list ordered by SLA risk.

Tickets, chat and callbacks may not import each other, so each registers a source here
from its apps.py ready(), as the SLA sweep's targets do (sla/sweep.py). A source answers
one indexed query per call, at most `limit` rows, already in the inbox's order; the
inbox merges them. The live event (`inbox.changed` to the staff sockets) is sent from
the peers' services through `inbox_changed`, once their transaction commits."""

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from helpdesk.core.realtime import STAFF_GROUP, broadcast_on_commit

# What the inbox lists, by kind (a source's `kind`).
TICKET = "ticket"
CHAT = "chat"
CALLBACK = "callback"

# How an item changed, in the live event.
NEW = "new"
CLAIMED = "claimed"
ANSWERED = "answered"
WARNED = "warned"
BREACHED = "breached"


# "Due soon": a running clock with less than this left (the ticket list's filter's).
DUE_SOON = timedelta(minutes=15)


@dataclass(frozen=True)
class InboxQuery:
    """What one specialist asked the inbox for. Filters combine (AND); `kinds` empty
    means every kind."""

    user_id: int
    now: datetime
    mine: bool = False
    unassigned: bool = False
    breached: bool = False  # a running clock past its deadline
    due_soon: bool = False  # a running clock within DUE_SOON of its deadline
    critical: bool = False
    kinds: frozenset[str] = frozenset()
    limit: int = 100

    @property
    def due_soon_before(self) -> datetime:
        return self.now + DUE_SOON


@dataclass(frozen=True)
class Candidate:
    """What the inbox orders by, for one item: a source's first, cheap answer. `due_at` is
    None when no clock runs (a held chat, a claimed callback, a ticket answered once that
    waits for its next step): such items come after every running clock, longest waiting
    first."""

    kind: str
    item_id: int
    due_at: datetime | None
    business_critical: bool
    waiting_since: datetime

    def sort_key(self) -> tuple[Any, ...]:
        """Time left ascending, business-critical first at equal time; then the rows
        without a clock, the longest waiting first."""
        if self.due_at is None:
            return (1, self.waiting_since, 0, self.kind, self.item_id)
        return (0, self.due_at, 0 if self.business_critical else 1, self.kind, self.item_id)


@dataclass(frozen=True)
class InboxItem:
    """One row of the inbox, as shown."""

    kind: str
    kind_label: str
    item_id: int
    customer: str
    account: str
    requester_role: str
    title: str
    waiting_since: datetime
    due_at: datetime | None
    breached: bool
    business_critical: bool
    assignee_id: int | None
    assignee: str
    status_label: str
    url: str
    claimable: bool

    def time_left(self, now: datetime) -> timedelta | None:
        return None if self.due_at is None else self.due_at - now


@dataclass(frozen=True)
class InboxSource:
    kind: str
    label: Callable[[], str]
    # At most query.limit candidates, in Candidate.sort_key order (one or two indexed
    # queries of a few columns)...
    candidates: Callable[[InboxQuery], list[Candidate]]
    # ...then the rows of those that made the list, by id (one query).
    items: Callable[[list[int]], dict[int, InboxItem]]
    # How many items wait for this user (theirs or nobody's), for the tab title.
    waiting_count: Callable[[User], int]
    # Claim the item for the user; raises the service's PermissionDenied/ValidationError.
    claim: Callable[[int, User], None]


_sources: dict[str, InboxSource] = {}


def clock_then_held_candidates(
    *, kind: str, query: InboxQuery, running: QuerySet[Any], held: QuerySet[Any]
) -> list[Candidate]:
    """Candidates of a kind whose clock runs while it waits (chats, callbacks): the waiting
    ones by deadline (the breached and due-soon filters apply to them), then, when there is
    room and no deadline filter, the held ones (nothing runs: longest waiting first)."""
    if query.breached:
        running = running.filter(due_at__lt=query.now)
    if query.due_soon:
        running = running.filter(due_at__gte=query.now, due_at__lte=query.due_soon_before)
    rows = running.order_by("due_at", "id").values_list("id", "due_at", "created_at")
    found = [Candidate(kind, pk, due, False, at) for pk, due, at in rows[: query.limit]]
    if len(found) < query.limit and not (query.breached or query.due_soon):
        rest = held.order_by("created_at", "id").values_list("id", "created_at")
        found += [
            Candidate(kind, pk, None, False, at) for pk, at in rest[: query.limit - len(found)]
        ]
    return found


def register(source: InboxSource) -> None:
    _sources[source.kind] = source


def sources() -> list[InboxSource]:
    return list(_sources.values())


def source_for(kind: str) -> InboxSource | None:
    return _sources.get(kind)


@dataclass(frozen=True)
class Inbox:
    items: list[InboxItem]
    truncated: bool
    waiting_for_user: int
    kinds: list[tuple[str, str]] = field(default_factory=list)


def inbox_for(*, user: User, query: InboxQuery) -> Inbox:
    """The merged list: each source's candidates, merged and cut at the limit, then the
    rows of those kept (two or three queries per source, one count per source). An item
    gone between the two reads is left out."""
    chosen = [s for s in sources() if not query.kinds or s.kind in query.kinds]
    merged = heapq.merge(*(s.candidates(query) for s in chosen), key=Candidate.sort_key)
    kept = list(itertools.islice(merged, query.limit + 1))
    truncated = len(kept) > query.limit
    kept = kept[: query.limit]
    rows: dict[tuple[str, int], InboxItem] = {}
    for source in chosen:
        ids = [c.item_id for c in kept if c.kind == source.kind]
        if ids:
            rows.update(((source.kind, pk), item) for pk, item in source.items(ids).items())
    return Inbox(
        items=[rows[c.kind, c.item_id] for c in kept if (c.kind, c.item_id) in rows],
        truncated=truncated,
        waiting_for_user=inbox_waiting_count(user=user),
        kinds=[(s.kind, s.label()) for s in sources()],
    )


def inbox_waiting_count(*, user: User) -> int:
    """What waits for this specialist: items assigned to them or to nobody."""
    return sum(s.waiting_count(user) for s in sources())


def inbox_changed(
    *, kind: str, item_id: int, change: str, title: str = "", assignee_id: int | None = None
) -> None:
    """Tell the staff pages an inbox item changed, once the transaction commits. The
    inbox re-fetches its list; staff-alerts.js notifies (sound, desktop, title count)."""
    broadcast_on_commit(
        STAFF_GROUP,
        {
            "type": "inbox.changed",
            "kind": kind,
            "id": item_id,
            "change": change,
            "title": title,
            "assignee": assignee_id,
        },
    )
