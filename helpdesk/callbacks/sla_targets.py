"""Callback requests as a target of the SLA sweep: the five-minute target is a deadline
like any other. Their history rows and the leads' notifications."""

from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse

from helpdesk.callbacks import tasks
from helpdesk.callbacks.models import CallbackEvent, CallbackRequest
from helpdesk.core.realtime import STAFF_GROUP, broadcast_on_commit
from helpdesk.tickets.sla_targets import SWEEP_EVENT_KIND
from sla import sweep


def callback_sla_record(outcomes: Sequence[sweep.Outcome]) -> None:
    CallbackEvent.objects.bulk_create(
        CallbackEvent(
            callback_id=o.item_id, kind=SWEEP_EVENT_KIND[o.step], level=o.level, created_at=o.at
        )
        for o in outcomes
    )


def callback_sla_notify(outcomes: Sequence[sweep.Outcome]) -> None:
    latest = {o.item_id: o for o in sweep.highest_escalations(outcomes)}
    if not latest:
        return
    items = [[o.item_id, o.level] for o in latest.values()]
    transaction.on_commit(lambda: tasks.callback_escalation_notify.delay(items))
    topics = dict(
        CallbackRequest.objects.filter(pk__in=list(latest)).values_list("pk", "topic")[:20]
    )
    broadcast_on_commit(
        STAFF_GROUP,
        {
            "type": "sla.alert",
            "total": len(items),
            "alerts": [
                {
                    "kind": "callback",
                    "id": pk,
                    "step": "breached" if level == 1 else "escalated",
                    "level": level,
                    "subject": f"Callback not started: {topics.get(pk, '')}",
                    "url": reverse("admin:callbacks_callbackrequest_change", args=[pk]),
                }
                for pk, level in items[:20]
            ],
        },
    )


def register() -> None:
    sweep.register(
        sweep.SweepTarget(
            name="callback",
            model=CallbackRequest,
            record=callback_sla_record,
            notify=callback_sla_notify,
        )
    )
