"""The customer's chats on the help dialog's home (accounts.conversations)."""

from datetime import datetime

from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from accounts.conversations import ConversationItem, register
from accounts.models import User
from chat.models import OPEN_STATUSES, Conversation


def chats_for_home(user: User, since: datetime, limit: int) -> list[ConversationItem]:
    """The user's own chats, open or active since `since`. The open one opens in the
    dialog (url None); one turned into a ticket opens the ticket; an ended one has no
    page (its transcript went by email) and is listed for the record."""
    chats = (
        Conversation.objects.filter(customer=user)
        .annotate(activity=Coalesce(Max("messages__created_at"), "created_at"))
        .filter(Q(status__in=OPEN_STATUSES) | Q(activity__gte=since))
        .order_by("-activity")[:limit]
    )
    items = []
    for c in chats:
        is_open = c.status in OPEN_STATUSES
        url = None
        if not is_open and c.ticket_id:
            url = reverse("ticket_detail", args=[c.ticket_id])
        items.append(
            ConversationItem(
                kind="chat",
                id=c.pk,
                title=c.topic,
                status=c.status,
                status_label=str(c.get_status_display()),
                is_open=is_open,
                last_activity=max(c.activity, c.ended_at or c.activity),
                url=url,
            )
        )
    return items


def conversations_register() -> None:
    register("chats", chats_for_home)
