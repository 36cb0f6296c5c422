"""Who gets the next item: the round robin shared by tickets and chats (they call it
without importing each other). A pick is made inside the caller's transaction, which
assigns the item before it commits: the pool's turn row and the candidates' rows stay
locked until then, so two picks at once, or a pick and a specialist accepting a chat by
hand (which locks their row too), never both use the same free place."""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AssignmentTurn, User
from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP

TICKETS = "tickets"
CHATS = "chats"

CAPACITY_REACHED = _(
    "You already hold %(count)s chats, your capacity. End one before accepting another."
)


def chat_capacity_of(user: User) -> int:
    """Most chats this specialist holds at once."""
    if user.chat_capacity is not None:
        return user.chat_capacity
    return settings.CHAT_DEFAULT_CAPACITY


def agents() -> QuerySet[User]:
    """Active specialists and leads (a query without joins, so it can be locked)."""
    in_groups = User.objects.filter(groups__name__in=[SPECIALISTS_GROUP, LEADS_GROUP]).values("pk")
    return User.objects.filter(is_active=True, is_staff=True, pk__in=in_groups)


@dataclass(frozen=True)
class Pick:
    specialist: User
    load: int


def specialist_pick_next(
    *,
    pool: str,
    among: QuerySet[User] | None = None,
    load: Callable[[Collection[int]], Mapping[int, int]] | None = None,
) -> Pick | None:
    """The next available specialist after the pool's last assignee, in id order and
    wrapping around; with `load` (items held, per specialist id), only those under their
    chat capacity. None when no one can take it (the item waits). Call it inside the
    transaction that assigns the item."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("specialist_pick_next needs the assigning transaction")
    AssignmentTurn.objects.get_or_create(pool=pool)
    turn = AssignmentTurn.objects.select_for_update().get(pool=pool)
    candidates = agents().filter(available=True)
    if among is not None:
        candidates = candidates.filter(pk__in=among.values("pk"))
    people = list(candidates.select_for_update().order_by("pk"))
    held = load([p.pk for p in people]) if load is not None and people else {}
    if load is not None:
        people = [p for p in people if held.get(p.pk, 0) < chat_capacity_of(p)]
    if not people:
        return None
    last = turn.last_assignee_id or 0
    chosen = next((p for p in people if p.pk > last), people[0])
    turn.last_assignee = chosen
    turn.save(update_fields=["last_assignee"])
    return Pick(specialist=chosen, load=held.get(chosen.pk, 0))


def specialist_lock(*, specialist: User) -> User:
    """Lock a specialist's row before counting what they hold (see the module's note)."""
    return User.objects.select_for_update().get(pk=specialist.pk)


# Called after commit with (user id, available) when a specialist's availability changes
# (chat turns their console online or away and offers them waiting chats).
_on_availability: list[Callable[[int, bool], None]] = []


def on_availability_register(callback: Callable[[int, bool], None]) -> None:
    if callback not in _on_availability:
        _on_availability.append(callback)


def availability_hooks() -> list[Callable[[int, bool], None]]:
    return list(_on_availability)
