"""Chats in the staff inbox (sla.inbox): waiting chats (their wait clock runs), then the
chats specialists hold. Both are worked in the console."""

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import Role, User
from chat.models import Conversation, ConversationStatus
from chat.services.conversations import conversation_accept
from sla.inbox import (
    CHAT,
    Candidate,
    InboxItem,
    InboxQuery,
    InboxSource,
    clock_then_held_candidates,
    register,
)


def _filtered(query: InboxQuery) -> QuerySet[Conversation] | None:
    if query.critical:
        return None  # business-critical is a ticket's flag (email only)
    chats = Conversation.objects.all()
    if query.mine:
        chats = chats.filter(specialist_id=query.user_id)
    if query.unassigned:
        chats = chats.filter(specialist__isnull=True)
    return chats


def inbox_chat_candidates(query: InboxQuery) -> list[Candidate]:
    base = _filtered(query)
    if base is None:
        return []
    return clock_then_held_candidates(
        kind=CHAT,
        query=query,
        running=base.filter(status=ConversationStatus.WAITING),
        held=base.filter(status=ConversationStatus.ACTIVE),
    )


def inbox_chat_items(ids: list[int]) -> dict[int, InboxItem]:
    chats = (
        Conversation.objects.filter(pk__in=ids)
        .select_related("customer", "account", "specialist")
        .only(
            "id",
            "topic",
            "status",
            "created_at",
            "due_at",
            "breached_at",
            "account_id",
            "customer_id",
            "specialist_id",
            "account__name",
            "customer__full_name",
            "customer__email",
            "customer__role",
            "specialist__full_name",
            "specialist__email",
        )
    )
    console = reverse("chat_console")
    roles = {k: str(v) for k, v in Role.choices}  # once per call, not get_role_display() per row
    return {chat.pk: _item(chat, console, roles) for chat in chats}


def _item(chat: Conversation, console: str, roles: dict[str, str]) -> InboxItem:
    waiting = chat.status == ConversationStatus.WAITING
    return InboxItem(
        kind=CHAT,
        kind_label=gettext("Chat"),
        item_id=chat.pk,
        customer=chat.customer.get_full_name(),
        account=chat.account.name,
        requester_role=str(roles.get(chat.customer.role, chat.customer.role)),
        title=chat.topic,
        waiting_since=chat.created_at,
        due_at=chat.due_at if waiting else None,
        breached=chat.breached_at is not None,
        business_critical=False,
        assignee_id=chat.specialist_id,
        assignee=chat.specialist.get_full_name() if chat.specialist else "",
        status_label=gettext("Waiting") if waiting else gettext("Held"),
        url=console,
        claimable=waiting,
    )


def inbox_chats_waiting(user: User) -> int:
    return Conversation.objects.filter(
        Q(status=ConversationStatus.WAITING)
        | Q(status=ConversationStatus.ACTIVE, specialist_id=user.pk)
    ).count()


def inbox_chat_claim(conversation_id: int, user: User) -> None:
    conversation_accept(conversation_id=conversation_id, specialist=user)


def register_inbox() -> None:
    register(
        InboxSource(
            kind=CHAT,
            label=lambda: gettext("Chats"),
            candidates=inbox_chat_candidates,
            items=inbox_chat_items,
            waiting_count=inbox_chats_waiting,
            claim=inbox_chat_claim,
        )
    )
