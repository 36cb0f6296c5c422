"""Waiting chats as a target of the SLA sweep (the same mechanism as tickets)."""

import logging
from collections.abc import Sequence

from django.urls import reverse

from chat import notifications
from chat.models import Conversation
from helpdesk.core.outbox.services import outbox_digest_key, outbox_enqueue
from sla import sweep
from sla.alerts import sla_alert_broadcast

logger = logging.getLogger(__name__)


def chat_sla_record(outcomes: Sequence[sweep.Outcome]) -> None:
    # The conversation row itself keeps breached_at and escalation_level; the steps are
    # logged for operators.
    for o in outcomes:
        logger.info("chat %s: %s level %s at %s", o.item_id, o.step, o.level, o.at.isoformat())


def chat_sla_notify(outcomes: Sequence[sweep.Outcome]) -> None:
    """The leads' email (in the outbox, in the sweep's transaction) and the live alert
    after the sweep commits, once per level."""
    escalated = sweep.highest_escalations(outcomes)
    # Warnings before the deadline are shown live like breaches (no email).
    warned = [o for o in outcomes if o.step == sweep.WARNED]
    if not (escalated or warned):
        return
    if escalated:
        items = [[o.item_id, o.level] for o in escalated]
        outbox_enqueue(
            kind=notifications.CHAT_WAIT_ESCALATION,
            key=outbox_digest_key(notifications.CHAT_WAIT_ESCALATION, items),
            payload={"items": items},
        )
    console = reverse("chat_console")
    sla_alert_broadcast(
        kind="chat",
        outcomes=escalated + warned,
        model=Conversation,
        title_field="topic",
        subject_prefix="Chat waiting: ",
        url=lambda pk: console,
    )


def register() -> None:
    sweep.register(
        sweep.SweepTarget(
            name="chat",
            model=Conversation,
            record=chat_sla_record,
            notify=chat_sla_notify,
            # A chat the customer left (or that was ended) before anyone answered.
            stopped_at_field="ended_at",
            specialist_field="specialist",
        )
    )
