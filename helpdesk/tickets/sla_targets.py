"""Tickets as a target of the SLA sweep: their history rows and notifications."""

from collections.abc import Sequence

from django.urls import reverse

from helpdesk.core.outbox.services import outbox_digest_key, outbox_enqueue
from helpdesk.tickets import notifications
from helpdesk.tickets.models import Ticket, TicketEvent, TicketEventKind
from sla import sweep
from sla.alerts import sla_alert_broadcast

# History entry for each sweep step, shared by tickets and callback requests.
SWEEP_EVENT_KIND = {
    sweep.WARNED: TicketEventKind.WARNED,
    sweep.BREACHED: TicketEventKind.BREACHED,
    sweep.ESCALATED: TicketEventKind.ESCALATED,
    sweep.OVERDUE: TicketEventKind.OVERDUE,
    sweep.EXEMPT: TicketEventKind.EXEMPT,
}


def ticket_sla_record(outcomes: Sequence[sweep.Outcome]) -> None:
    reasons: dict[int | None, str] = {}
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
    """Record the emails in the outbox, in the sweep's transaction, and queue the live
    alert for after it commits."""
    warned = [o for o in outcomes if o.step == sweep.WARNED]
    escalated = sweep.highest_escalations(outcomes)
    warned_ids = [o.item_id for o in warned]
    escalated_items: list[list[int | str]] = [[o.item_id, o.step, o.level] for o in escalated]
    if warned_ids:
        outbox_enqueue(
            kind=notifications.SLA_WARNING,
            key=outbox_digest_key(notifications.SLA_WARNING, warned_ids),
            payload={"ticket_ids": warned_ids},
        )
    if escalated_items:
        outbox_enqueue(
            kind=notifications.SLA_ESCALATION,
            key=outbox_digest_key(notifications.SLA_ESCALATION, escalated_items),
            payload={"items": escalated_items},
        )
    sla_alert_broadcast(
        kind="ticket",
        outcomes=escalated + warned,
        model=Ticket,
        title_field="subject",
        url=lambda pk: reverse("admin:tickets_ticket_change", args=[pk]),
    )


def register() -> None:
    sweep.register(
        sweep.SweepTarget(
            name="ticket",
            model=Ticket,
            record=ticket_sla_record,
            notify=ticket_sla_notify,
            # Solved or closed (by the customer or a specialist) without a public reply.
            stopped_at_field="resolved_at",
            specialist_field="assignee",
        )
    )
