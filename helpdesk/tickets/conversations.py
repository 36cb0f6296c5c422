"""The customer's tickets on the help dialog's home (accounts.conversations)."""

from datetime import datetime

from django.db.models import Q
from django.urls import reverse

from accounts.conversations import ConversationItem, register
from accounts.models import User
from helpdesk.tickets.models import OPEN_STATUSES, Ticket


def tickets_for_home(user: User, since: datetime, limit: int) -> list[ConversationItem]:
    """The user's own tickets, open or updated since `since`."""
    tickets = (
        Ticket.objects.filter(requester=user)
        .filter(Q(status__in=OPEN_STATUSES) | Q(updated_at__gte=since))
        .order_by("-updated_at")[:limit]
    )
    return [
        ConversationItem(
            kind="ticket",
            id=t.pk,
            title=t.subject,
            status=t.status,
            status_label=str(t.get_status_display()),
            is_open=t.is_open,
            last_activity=t.updated_at,
            url=reverse("ticket_detail", args=[t.pk]),
        )
        for t in tickets
    ]


def conversations_register() -> None:
    register("tickets", tickets_for_home)
