"""Who may see and act on tickets. Views and services enforce these."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.permissions import (
    LEADS_GROUP,
    SPECIALISTS_GROUP,
    can_view_customer_item,
    is_agent,
    staff_permissions_grant,
)
from helpdesk.tickets.models import (
    InboundEmail,
    Reply,
    SlaAttainmentReport,
    Ticket,
    TicketEvent,
)


def can_reply_to_ticket(user: User | AnonymousUser, ticket: Ticket) -> bool:
    return can_view_customer_item(user, ticket) and (is_agent(user) or ticket.is_open)


def can_write_internal_note(user: User | AnonymousUser) -> bool:
    return is_agent(user)


def staff_permissions_register() -> None:
    """Specialists work tickets in the admin (status, assignee, replies; history is read
    only); leads also read the SLA attainment report and the inbound email log."""
    staff_permissions_grant(
        group=SPECIALISTS_GROUP,
        models={Ticket: ("view", "change"), Reply: ("view", "add"), TicketEvent: ("view",)},
    )
    staff_permissions_grant(
        group=LEADS_GROUP,
        models={SlaAttainmentReport: ("view",), InboundEmail: ("view",)},
    )
