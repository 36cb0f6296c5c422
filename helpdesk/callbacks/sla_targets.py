"""Callback requests as a target of the SLA sweep: the five-minute target is a deadline
like any other. Their history rows and the leads' notifications."""

from collections.abc import Sequence

from django.urls import reverse

from helpdesk.callbacks import notifications
from helpdesk.callbacks.models import CallbackEvent, CallbackRequest
from helpdesk.core.outbox.services import outbox_digest_key, outbox_enqueue
from helpdesk.tickets.sla_targets import SWEEP_EVENT_KIND
from sla import sweep
from sla.alerts import sla_alert_broadcast


def callback_sla_record(outcomes: Sequence[sweep.Outcome]) -> None:
    CallbackEvent.objects.bulk_create(
        CallbackEvent(
            callback_id=o.item_id, kind=SWEEP_EVENT_KIND[o.step], level=o.level, created_at=o.at
        )
        for o in outcomes
    )


def callback_sla_notify(outcomes: Sequence[sweep.Outcome]) -> None:
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
            kind=notifications.CALLBACK_ESCALATION,
            key=outbox_digest_key(notifications.CALLBACK_ESCALATION, items),
            payload={"items": items},
        )
    sla_alert_broadcast(
        kind="callback",
        outcomes=escalated + warned,
        model=CallbackRequest,
        title_field="topic",
        subject_prefix="Callback not started: ",
        url=lambda pk: reverse("admin:callbacks_callbackrequest_change", args=[pk]),
    )


def register() -> None:
    sweep.register(
        sweep.SweepTarget(
            name="callback",
            model=CallbackRequest,
            record=callback_sla_record,
            notify=callback_sla_notify,
            # Cancelled before a specialist claimed it (every other close follows a claim).
            stopped_at_field="closed_at",
            specialist_field="holder",
        )
    )
