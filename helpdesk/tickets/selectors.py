"""Reads for tickets, always scoped to the acting user."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.activity import ActivityItem, recent_activity_for
from accounts.models import Account, Subscription, User
from accounts.permissions import can_view_customer_item, customer_item_filter, is_agent
from accounts.selectors import (
    PremiumSupportStatus,
    premium_support_status,
    subscriptions_for_account,
)
from helpdesk.tickets.models import (
    OPEN_STATUSES,
    Attachment,
    Macro,
    Reply,
    ReplyVisibility,
    Ticket,
    TicketEvent,
    TicketEventKind,
)
from sla.models import SlaKind


def ticket_list_for(*, user: User) -> QuerySet[Ticket]:
    """My tickets: the whole account's for a super admin, a regular user's own."""
    tickets = Ticket.objects.filter(customer_item_filter(user))
    return tickets.select_related("requester").order_by("-created_at", "-id")


def ticket_get_for(*, user: User, ticket_id: int) -> Ticket:
    """The ticket if this user may see it; otherwise 404, revealing nothing."""
    ticket = (
        Ticket.objects.select_related("requester", "assignee", "account", "sla_exception")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or not can_view_customer_item(user, ticket):
        raise Http404("No such ticket.")
    return ticket


def ticket_own_get(*, user: User, ticket_id: int) -> Ticket:
    """The ticket if this user submitted it (what they may solve or reopen); else 404."""
    ticket = Ticket.objects.filter(pk=ticket_id, requester_id=user.pk).first()
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


@dataclass(frozen=True)
class Reclassification:
    at: datetime
    business_critical: bool
    explanation: str


def ticket_reclassifications_for(*, ticket: Ticket) -> list[Reclassification]:
    """What the customer reads about reclassifications: when, to what, and the
    specialist's reason (without the deadline note the service adds for specialists)."""
    events = TicketEvent.objects.filter(ticket=ticket, kind=TicketEventKind.RECLASSIFIED)
    return [
        Reclassification(
            at=e.created_at,
            business_critical=e.to_value == "business-critical",
            explanation=e.reason.rsplit(" (deadline ", 1)[0],
        )
        for e in events.order_by("created_at", "id")
    ]


def ticket_thread_for(*, user: User, ticket: Ticket) -> QuerySet[Reply]:
    """Replies this user may read: customers never see internal notes."""
    replies = ticket.replies.select_related("author").prefetch_related("attachments")
    if not is_agent(user):
        replies = replies.filter(visibility=ReplyVisibility.PUBLIC)
    return replies


def ticket_open_list_for(*, requester: User, limit: int) -> list[Ticket]:
    """A customer's open tickets, newest first: what the chat console shows beside a chat."""
    return list(
        Ticket.objects.filter(requester=requester, status__in=OPEN_STATUSES).order_by(
            "-created_at"
        )[:limit]
    )


# The SLA states staff filter on: the admin's list filter's (helpdesk/tickets/admin.py).
SLA_STATES = ("breached", "due_soon", "overdue_target", "exempt", "unanswered")
DUE_SOON = timedelta(minutes=15)


def _sla_state_q(state: str, now: datetime) -> Q:
    return {
        "breached": Q(breached_at__isnull=False, sla_kind=SlaKind.GUARANTEED),
        "overdue_target": Q(breached_at__isnull=False, sla_kind=SlaKind.TARGET),
        "due_soon": Q(answered_at__isnull=True, due_at__gte=now, due_at__lte=now + DUE_SOON),
        "exempt": Q(sla_kind=SlaKind.EXEMPT),
        "unanswered": Q(answered_at__isnull=True),
    }[state]


def ticket_search_for_staff(
    *,
    user: User,
    statuses: list[str] | None = None,
    sla_state: str | None = None,
    business_critical: bool | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    account_id: int | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Ticket]:
    """The agents' ticket list with their filters (the API's, as the admin's); nothing
    for anyone else."""
    if not is_agent(user):
        return Ticket.objects.none()
    tickets = Ticket.objects.select_related("requester", "assignee", "account")
    if statuses:
        tickets = tickets.filter(status__in=statuses)
    if sla_state:
        tickets = tickets.filter(_sla_state_q(sla_state, timezone.now()))
    if business_critical is not None:
        tickets = tickets.filter(business_critical=business_critical)
    if unassigned:
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee_id is not None:
        tickets = tickets.filter(assignee_id=assignee_id)
    if account_id is not None:
        tickets = tickets.filter(account_id=account_id)
    if updated_since is not None:
        tickets = tickets.filter(updated_at__gte=updated_since)
    return tickets


# The ticket page in the admin (helpdesk.tickets.admin_workspace): its thread, its
# customer panel and the macro picker.


@dataclass(frozen=True)
class ThreadEntry:
    """One message of a ticket's thread: the original description first, then replies."""

    author: str
    by_customer: bool
    visibility: str  # ReplyVisibility value
    visibility_label: str
    body: str
    at: datetime
    is_description: bool = False
    attachments: tuple[Attachment, ...] = ()


def ticket_workspace_thread(*, ticket: Ticket) -> list[ThreadEntry]:
    """The thread with each message's files (shown through the checked download view)."""
    requester = ticket.requester
    files: dict[int | None, list[Attachment]] = {}
    for item in ticket.attachments.order_by("id"):
        files.setdefault(item.reply_id, []).append(item)
    entries = [
        ThreadEntry(
            author=requester.get_full_name() or requester.email,
            by_customer=True,
            visibility=ReplyVisibility.PUBLIC,
            visibility_label=str(_("Original request")),
            body=ticket.description,
            at=ticket.created_at,
            is_description=True,
            attachments=tuple(files.get(None, ())),
        )
    ]
    for reply in ticket.replies.select_related("author").order_by("created_at", "id"):
        entries.append(
            ThreadEntry(
                author=reply.author.get_full_name() or reply.author.email,
                by_customer=not reply.author.is_staff,
                visibility=reply.visibility,
                # A customer's answer (from the portal or by email) is public, but it is
                # not a "Public reply" a specialist sent: the label says whose it is.
                visibility_label=(
                    str(_("Customer reply"))
                    if not reply.author.is_staff
                    else reply.get_visibility_display()
                ),
                body=reply.body,
                at=reply.created_at,
                attachments=tuple(files.get(reply.pk, ())),
            )
        )
    return entries


@dataclass(frozen=True)
class CustomerPanel:
    customer: User
    account: Account
    subscriptions: list[Subscription]
    premium_support: PremiumSupportStatus
    open_tickets: list[Ticket]
    recent_tickets: list[Ticket]
    activity: dict[str, list[ActivityItem]]


def customer_panel_for(*, ticket: Ticket, limit: int = 5) -> CustomerPanel:
    """Who is asking: their account, role, subscriptions, Premium Support, and their
    other tickets, chats and callbacks (the peers' through accounts.activity)."""
    customer, account = ticket.requester, ticket.account
    others = Ticket.objects.filter(requester=customer).exclude(pk=ticket.pk)
    return CustomerPanel(
        customer=customer,
        account=account,
        subscriptions=[
            s for s in subscriptions_for_account(account=account) if s.is_active_at(timezone.now())
        ],
        premium_support=premium_support_status(account=account),
        open_tickets=list(others.filter(status__in=OPEN_STATUSES).order_by("due_at", "id")[:limit]),
        recent_tickets=list(
            others.exclude(status__in=OPEN_STATUSES).order_by("-created_at", "-id")[:limit]
        ),
        activity=recent_activity_for(customer=customer, limit=limit),
    )


def macros_search(*, query: str = "", limit: int = 20) -> list[Macro]:
    """Macros whose name or text contains the query, by name (the picker's list)."""
    macros = Macro.objects.all()
    query = query.strip()
    if query:
        macros = macros.filter(Q(name__icontains=query) | Q(body__icontains=query))
    return list(macros.order_by("name")[:limit])
