"""Who may see and act on tickets. Views and services enforce these."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.permissions import (
    LEADS_GROUP,
    SPECIALISTS_GROUP,
    can_view_customer_item,
    is_agent,
    model_permission,
    staff_permissions_grant,
)
from helpdesk.tickets.models import (
    InboundEmail,
    Macro,
    Reply,
    SlaAttainmentReport,
    Ticket,
    TicketEvent,
)


def can_reply_to_ticket(user: User | AnonymousUser, ticket: Ticket) -> bool:
    return can_view_customer_item(user, ticket) and (is_agent(user) or ticket.is_open)


def can_write_internal_note(user: User | AnonymousUser) -> bool:
    return is_agent(user)


def can_use_macros(user: User | AnonymousUser) -> bool:
    """Specialists insert macros in the composer; customers never see them."""
    return is_agent(user)


def can_manage_macros(user: User | AnonymousUser) -> bool:
    """Leads write macros (the Leads group holds the permission, see below)."""
    return is_agent(user) and model_permission(user, Macro, "change")


def can_work_ticket(user: User | AnonymousUser) -> bool:
    """The ticket page's buttons (reply, assign, reclassify, macros): staff who may change
    tickets in the admin."""
    return is_agent(user) and model_permission(user, Ticket, "change")


def staff_permissions_register() -> None:
    """Specialists work tickets in the admin (status, assignee, replies; history is read
    only; macros read only); leads also read the SLA attainment report and the inbound
    email log, and manage macros."""
    staff_permissions_grant(
        group=SPECIALISTS_GROUP,
        models={
            Ticket: ("view", "change"),
            Reply: ("view", "add"),
            TicketEvent: ("view",),
            # Specialists use macros (they read them in the admin) but do not change them.
            Macro: ("view",),
        },
    )
    staff_permissions_grant(
        group=LEADS_GROUP,
        models={
            SlaAttainmentReport: ("view",),
            InboundEmail: ("view",),
            Macro: ("view", "add", "change", "delete"),
        },
    )
