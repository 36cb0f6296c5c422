"""The live SLA alert: the card every open staff page shows (through `/ws/staff/alerts/`).
One builder for every sweep target, so tickets, callbacks and chats alert alike."""

from collections.abc import Callable, Sequence

from helpdesk.core.realtime import STAFF_GROUP, broadcast_on_commit
from sla.models import DeadlineTracked
from sla.sweep import Outcome

# Live alerts carry a few items each; the digest email has them all.
ALERT_ITEMS_MAX = 20


def sla_alert_broadcast(
    *,
    kind: str,
    outcomes: Sequence[Outcome],
    model: type[DeadlineTracked],
    title_field: str,
    url: Callable[[int], str],
    subject_prefix: str = "",
) -> None:
    """Queue one `sla.alert` event to the staff pages, sent once the sweep commits: the
    first ALERT_ITEMS_MAX of these outcomes (one per item, in order) and how many there
    were. Each item's subject is `subject_prefix` and the row's `title_field`."""
    shown = list(outcomes[:ALERT_ITEMS_MAX])
    if not shown:
        return
    titles = dict(
        model._default_manager.filter(pk__in=[o.item_id for o in shown]).values_list(
            "pk", title_field
        )
    )
    broadcast_on_commit(
        STAFF_GROUP,
        {
            "type": "sla.alert",
            "total": len(outcomes),
            "alerts": [
                {
                    "kind": kind,
                    "id": o.item_id,
                    "step": o.step,
                    "level": o.level,
                    "subject": f"{subject_prefix}{titles.get(o.item_id, '')}",
                    "url": url(o.item_id),
                }
                for o in shown
            ],
        },
    )
