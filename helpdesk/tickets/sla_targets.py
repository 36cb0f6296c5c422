"""Tickets as a target of the SLA sweep: their history rows and notifications."""

from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse

from helpdesk.core.realtime import STAFF_GROUP, broadcast_on_commit
from helpdesk.tickets import tasks
from helpdesk.tickets.models import Ticket, TicketEvent, TicketEventKind
from sla import sweep

# History entry for each sweep step, shared by tickets and callback requests.
SWEEP_EVENT_KIND = {
    sweep.WARNED: TicketEventKind.WARNED,
    sweep.BREACHED: TicketEventKind.BREACHED,
    sweep.ESCALATED: TicketEventKind.ESCALATED,
    sweep.OVERDUE: TicketEventKind.OVERDUE,
    sweep.EXEMPT: TicketEventKind.EXEMPT,
}
# Live alerts carry a few items each; the digest email has them all.
ALERT_ITEMS_MAX = 20


def ticket_sla_record(outcomes: Sequence[sweep.Outcome]) -> None:
    reasons = {}
    exception_ids = {o.exception_id for o in outcomes if o.exception_id}
    if exception_ids:
        from sla.models import ResponseTimeException

        reasons = dict(
            ResponseTimeException.objects.filter(pk__in=exception_ids).values_list("pk", "reason")
        )
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=o.item_id,
            kind=SWEEP_EVENT_KIND[o.step],
            to_value=f"level {o.level}" if o.level else "",
            reason=reasons.get(o.exception_id, ""),
            created_at=o.at,
        )
        for o in outcomes
    )


def ticket_sla_notify(outcomes: Sequence[sweep.Outcome]) -> None:
    """Queue emails and the live alert for after the sweep's transaction commits."""
    warned = [o.item_id for o in outcomes if o.step == sweep.WARNED]
    escalated = [[o.item_id, o.step, o.level] for o in sweep.highest_escalations(outcomes)]
    if warned:
        transaction.on_commit(lambda: tasks.sla_warning_notify.delay(warned))
    if escalated:
        transaction.on_commit(lambda: tasks.sla_escalation_notify.delay(escalated))
    shown = (escalated + [[pk, sweep.WARNED, 0] for pk in warned])[:ALERT_ITEMS_MAX]
    if not shown:
        return
    subjects = dict(
        Ticket.objects.filter(pk__in=[pk for pk, _, _ in shown]).values_list("pk", "subject")
    )
    broadcast_on_commit(
        STAFF_GROUP,
        {
            "type": "sla.alert",
            "total": len(escalated) + len(warned),
            "alerts": [
                {
                    "kind": "ticket",
                    "id": pk,
                    "step": step,
                    "level": level,
                    "subject": subjects.get(pk, ""),
                    "url": reverse("admin:tickets_ticket_change", args=[pk]),
                }
                for pk, step, level in shown
            ],
        },
    )


def register() -> None:
    sweep.register(
        sweep.SweepTarget(
            name="ticket", model=Ticket, record=ticket_sla_record, notify=ticket_sla_notify
        )
    )
