"""Tickets in the staff inbox (sla.inbox): open tickets with no first reply yet (their
clock runs), then open tickets answered once that wait for the specialist's next step."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from helpdesk.tickets.models import Ticket, TicketStatus
from helpdesk.tickets.permissions import can_work_ticket
from helpdesk.tickets.services import ticket_assign
from sla.inbox import TICKET, Candidate, InboxItem, InboxQuery, InboxSource, register

# New and open: the specialist's move. Waiting on the customer is not in the inbox.
INBOX_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN)
HELD_BY_ANOTHER = _("Another specialist already has this ticket.")
NO_SUCH_TICKET = _("This ticket no longer exists.")
NOT_ALLOWED = _("You may not work on tickets.")
# The title count stops here ("(1000) Inbox"): counting further costs and tells no more.
COUNT_MAX = 1000


def _filtered(query: InboxQuery) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(status__in=INBOX_STATUSES)
    if query.mine:
        tickets = tickets.filter(assignee_id=query.user_id)
    if query.unassigned:
        tickets = tickets.filter(assignee__isnull=True)
    if query.critical:
        tickets = tickets.filter(business_critical=True)
    return tickets


def inbox_ticket_candidates(query: InboxQuery) -> list[Candidate]:
    """At most query.limit tickets in the inbox's order: the running clocks by deadline,
    business-critical first at equal time (index ticket_inbox_due), then the answered
    ones waiting longest (index ticket_inbox_answered)."""
    base = _filtered(query)
    running = base.filter(answered_at__isnull=True)
    if query.breached:
        running = running.filter(due_at__lt=query.now)
    if query.due_soon:
        running = running.filter(due_at__gte=query.now, due_at__lte=query.due_soon_before)
    rows = running.order_by("due_at", "-business_critical", "id").values_list(
        "id", "due_at", "business_critical", "created_at"
    )
    found = [
        Candidate(TICKET, pk, due, critical, at) for pk, due, critical, at in rows[: query.limit]
    ]
    if len(found) < query.limit and not (query.breached or query.due_soon):
        idle = base.filter(answered_at__isnull=False).order_by("updated_at", "id")
        found += [
            Candidate(TICKET, pk, None, critical, at)
            for pk, critical, at in idle.values_list("id", "business_critical", "updated_at")[
                : query.limit - len(found)
            ]
        ]
    return found


def inbox_ticket_items(ids: list[int]) -> dict[int, InboxItem]:
    tickets = (
        Ticket.objects.filter(pk__in=ids)
        .select_related("requester", "account", "assignee")
        .only(
            "id",
            "subject",
            "status",
            "requester_role",
            "business_critical",
            "created_at",
            "updated_at",
            "due_at",
            "answered_at",
            "breached_at",
            "account_id",
            "requester_id",
            "assignee_id",
            "account__name",
            "requester__full_name",
            "requester__email",
            "assignee__full_name",
            "assignee__email",
        )
    )
    # Labels looked up once per call, not through get_FOO_display() per row (it hashes the
    # choices every time: a fifth of the page's time at 100 rows).
    labels = _Labels(
        roles={k: str(v) for k, v in Role.choices},
        statuses={k: str(v) for k, v in TicketStatus.choices},
    )
    return {ticket.pk: _item(ticket, labels) for ticket in tickets}


@dataclass(frozen=True)
class _Labels:
    roles: dict[str, str]
    statuses: dict[str, str]


def _item(ticket: Ticket, labels: _Labels) -> InboxItem:
    running = ticket.answered_at is None
    return InboxItem(
        kind=TICKET,
        kind_label=gettext("Ticket"),
        item_id=ticket.pk,
        customer=ticket.requester.get_full_name(),
        account=ticket.account.name,
        requester_role=str(labels.roles.get(ticket.requester_role, ticket.requester_role)),
        title=ticket.subject,
        waiting_since=ticket.created_at if running else ticket.updated_at,
        due_at=ticket.due_at if running else None,
        breached=ticket.breached_at is not None,
        business_critical=ticket.business_critical,
        assignee_id=ticket.assignee_id,
        assignee=ticket.assignee.get_full_name() if ticket.assignee else "",
        status_label=str(labels.statuses.get(ticket.status, ticket.status)),
        url=reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        claimable=ticket.assignee_id is None,
    )


def inbox_tickets_waiting(user: User) -> int:
    """Open tickets that are this user's or nobody's, up to COUNT_MAX (index
    ticket_inbox_assignee: an index-only count)."""
    waiting = Ticket.objects.filter(status__in=INBOX_STATUSES).filter(
        Q(assignee__isnull=True) | Q(assignee_id=user.pk)
    )
    # No ordering: the model's default one would sort every open ticket first.
    return waiting.order_by().values("assignee_id")[:COUNT_MAX].count()


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
            candidates=inbox_ticket_candidates,
            items=inbox_ticket_items,
            waiting_count=inbox_tickets_waiting,
            claim=inbox_ticket_claim,
        )
    )
