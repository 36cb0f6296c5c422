"""Tickets in the staff inbox (sla.inbox): open tickets with no first reply yet (their
clock runs), then open tickets answered once that wait for the specialist's next step."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.tickets.models import Ticket, TicketStatus
from helpdesk.tickets.permissions import can_work_ticket
from helpdesk.tickets.services import ticket_assign
from sla.inbox import TICKET, InboxItem, InboxQuery, InboxSource, register

# New and open: the specialist's move. Waiting on the customer is not in the inbox.
INBOX_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN)
HELD_BY_ANOTHER = _("Another specialist already has this ticket.")
NO_SUCH_TICKET = _("This ticket no longer exists.")
NOT_ALLOWED = _("You may not work on tickets.")


def _base(query: InboxQuery) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(status__in=INBOX_STATUSES)
    if query.mine:
        tickets = tickets.filter(assignee_id=query.user_id)
    if query.unassigned:
        tickets = tickets.filter(assignee__isnull=True)
    if query.critical:
        tickets = tickets.filter(business_critical=True)
    return tickets.select_related("requester", "account", "assignee")


def _item(ticket: Ticket, *, running: bool) -> InboxItem:
    return InboxItem(
        kind=TICKET,
        kind_label=gettext("Ticket"),
        item_id=ticket.pk,
        customer=ticket.requester.get_full_name(),
        account=ticket.account.name,
        requester_role=ticket.get_requester_role_display(),
        title=ticket.subject,
        waiting_since=ticket.created_at if running else ticket.updated_at,
        due_at=ticket.due_at if running else None,
        breached=ticket.breached_at is not None,
        business_critical=ticket.business_critical,
        assignee_id=ticket.assignee_id,
        assignee=ticket.assignee.get_full_name() if ticket.assignee else "",
        status_label=ticket.get_status_display(),
        url=reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        claimable=ticket.assignee_id is None,
    )


def inbox_tickets(query: InboxQuery) -> list[InboxItem]:
    """At most query.limit tickets in the inbox's order: the running clocks by deadline
    (business-critical first at equal time; index ticket_inbox_due), then the answered
    ones waiting longest (index ticket_inbox_answered)."""
    base = _base(query)
    running = base.filter(answered_at__isnull=True)
    if query.breached:
        running = running.filter(due_at__lt=query.now)
    if query.due_soon:
        running = running.filter(due_at__gte=query.now, due_at__lte=query.due_soon_before)
    items = [
        _item(t, running=True)
        for t in running.order_by("due_at", "-business_critical", "id")[: query.limit]
    ]
    if len(items) < query.limit and not (query.breached or query.due_soon):
        idle = base.filter(answered_at__isnull=False).order_by("updated_at", "id")
        items += [_item(t, running=False) for t in idle[: query.limit - len(items)]]
    return items


def inbox_tickets_waiting(user: User) -> int:
    return (
        Ticket.objects.filter(status__in=INBOX_STATUSES)
        .filter(Q(assignee__isnull=True) | Q(assignee_id=user.pk))
        .count()
    )


def inbox_ticket_claim(ticket_id: int, user: User) -> None:
    """Assign the ticket to the user, unless someone else has it."""
    if not can_work_ticket(user):
        raise PermissionDenied(NOT_ALLOWED)
    with transaction.atomic():
        # Locked first: of two specialists claiming at once, the second is refused.
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None:
            raise ValidationError(NO_SUCH_TICKET)
        if ticket.assignee_id not in (None, user.pk):
            raise ValidationError(HELD_BY_ANOTHER)
        ticket_assign(ticket=ticket, assignee=user, actor=user)


def register_inbox() -> None:
    register(
        InboxSource(
            kind=TICKET,
            label=lambda: gettext("Tickets"),
            items=inbox_tickets,
            waiting_count=inbox_tickets_waiting,
            claim=inbox_ticket_claim,
        )
    )
