"""Who may see and act on tickets. Views and services enforce these."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.permissions import is_agent, is_customer, is_super_admin
from helpdesk.tickets.models import Ticket


def can_view_ticket(user: User | AnonymousUser, ticket: Ticket) -> bool:
    """Agents see every ticket; a super admin sees the account's; a regular user their own."""
    if is_agent(user):
        return True
    if not is_customer(user) or ticket.account_id != user.account_id:
        return False
    return is_super_admin(user) or ticket.requester_id == user.pk


def can_reply_to_ticket(user: User | AnonymousUser, ticket: Ticket) -> bool:
    return can_view_ticket(user, ticket) and (is_agent(user) or ticket.is_open)


def can_write_internal_note(user: User | AnonymousUser) -> bool:
    return is_agent(user)
