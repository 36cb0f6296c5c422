"""A customer's recent activity across the peer apps (chats, callbacks...), for the
staff's customer panel. The peers may not import each other, so each registers a
provider here from its apps.py ready(), as the SLA sweep's targets do (sla/sweep.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from accounts.models import User


@dataclass(frozen=True)
class ActivityItem:
    """One thing the customer asked for, as the panel lists it. `url` is the staff page
    of the item (an admin change page)."""

    kind: str  # "chat", "callback"
    kind_label: str
    title: str
    status_label: str
    is_open: bool
    at: datetime
    url: str


# A provider returns the customer's most recent items, newest first, at most `limit`.
Provider = Callable[[User, int], list[ActivityItem]]


@dataclass(frozen=True)
class ActivitySource:
    name: str
    recent: Provider


_sources: dict[str, ActivitySource] = {}


def register(source: ActivitySource) -> None:
    _sources[source.name] = source


def sources() -> list[ActivitySource]:
    return list(_sources.values())


def recent_activity_for(*, customer: User, limit: int = 5) -> dict[str, list[ActivityItem]]:
    """Each source's recent items for this customer, by source name (one query each)."""
    return {source.name: source.recent(customer, limit) for source in sources()}
