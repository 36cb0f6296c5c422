"""The customer's recent chats for the staff's customer panel (accounts.activity)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.activity import ActivityItem, ActivitySource, register
from accounts.models import User
from chat.models import OPEN_STATUSES, Conversation


def recent_chats(customer: User, limit: int) -> list[ActivityItem]:
    chats = Conversation.objects.filter(customer=customer).order_by("-created_at", "-id")[:limit]
    return [
        ActivityItem(
            kind="chat",
            kind_label=str(_("Chat")),
            title=chat.topic,
            status_label=chat.get_status_display(),
            is_open=chat.status in OPEN_STATUSES,
            at=chat.created_at,
            url=reverse("admin:chat_conversation_change", args=[chat.pk]),
        )
        for chat in chats
    ]


def register_activity() -> None:
    register(ActivitySource(name="chat", recent=recent_chats))
