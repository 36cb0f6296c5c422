"""Waiting chats as a target of the SLA sweep (the same mechanism as tickets)."""

import logging
from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse

from chat import tasks
from chat.models import Conversation
from helpdesk.core.realtime import STAFF_GROUP, broadcast_on_commit
from sla import sweep

logger = logging.getLogger(__name__)


def chat_sla_record(outcomes: Sequence[sweep.Outcome]) -> None:
    # The conversation row itself keeps breached_at and escalation_level; the steps are
    # logged for operators.
    for o in outcomes:
        logger.info("chat %s: %s level %s at %s", o.item_id, o.step, o.level, o.at.isoformat())


def chat_sla_notify(outcomes: Sequence[sweep.Outcome]) -> None:
    latest = {o.item_id: o for o in sweep.highest_escalations(outcomes)}
    if not latest:
        return
    items = [[o.item_id, o.level] for o in latest.values()]
    transaction.on_commit(lambda: tasks.chat_wait_escalation_notify.delay(items))
    topics = dict(Conversation.objects.filter(pk__in=list(latest)).values_list("pk", "topic"))
    console = reverse("chat_console")
    broadcast_on_commit(
        STAFF_GROUP,
        {
            "type": "sla.alert",
            "total": len(items),
            "alerts": [
                {
                    "kind": "chat",
                    "id": pk,
                    "step": "breached" if level == 1 else "escalated",
                    "level": level,
                    "subject": f"Chat waiting: {topics.get(pk, '')}",
                    "url": console,
                }
                for pk, level in items[:20]
            ],
        },
    )


def register() -> None:
    sweep.register(
        sweep.SweepTarget(
            name="chat", model=Conversation, record=chat_sla_record, notify=chat_sla_notify
        )
    )
