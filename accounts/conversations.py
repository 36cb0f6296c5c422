"""The customer's conversations across channels (tickets, chats, callbacks), for the help
dialog's home.

The help dialog (kb) may not import its peers, and accounts may import none of them:
each channel registers a provider here from its app's ready() (the SLA sweep's targets
are the pattern), and the dialog asks `conversations_for`. A provider returns the
user's OWN items only, open ones and those active in the last RECENT_DAYS."""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_customer

# An item closed longer ago than this no longer shows on the dialog's home.
RECENT_DAYS = 14
# The dialog's home lists at most this many.
LIST_LIMIT = 8


@dataclass(frozen=True)
class ConversationItem:
    kind: str  # "ticket", "chat", "callback"
    id: int
    title: str
    status: str
    status_label: str
    is_open: bool
    last_activity: datetime
    # Where it opens: a page, or None for the live chat inside the dialog.
    url: str | None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["last_activity"] = self.last_activity.isoformat()
        return data


# (user, since, limit) -> the user's own items, open or active since `since`.
Provider = Callable[[User, datetime, int], list[ConversationItem]]

_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    _providers[name] = provider


def conversations_for(*, user: User, limit: int = LIST_LIMIT) -> list[ConversationItem]:
    """The user's open conversations first, then recent ones, newest activity first."""
    if not is_customer(user):
        return []
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    items = [item for provider in _providers.values() for item in provider(user, since, limit)]
    items.sort(key=lambda i: i.last_activity, reverse=True)
    items.sort(key=lambda i: not i.is_open)  # stable: open first, each newest first
    return items[:limit]
