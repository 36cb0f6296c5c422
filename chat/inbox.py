"""Chats in the staff inbox (sla.inbox): waiting chats (their wait clock runs), then the
chats specialists hold. Both are worked in the console."""

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import User
from chat.models import Conversation, ConversationStatus
from chat.services.conversations import conversation_accept
from sla.inbox import CHAT, InboxItem, InboxQuery, InboxSource, register


def _base(query: InboxQuery) -> QuerySet[Conversation] | None:
    if query.critical:
        return None  # business-critical is a ticket's flag (email only)
    chats = Conversation.objects.select_related("customer", "account", "specialist")
    if query.mine:
        chats = chats.filter(specialist_id=query.user_id)
    if query.unassigned:
        chats = chats.filter(specialist__isnull=True)
    return chats


def _item(chat: Conversation) -> InboxItem:
    waiting = chat.status == ConversationStatus.WAITING
    return InboxItem(
        kind=CHAT,
        kind_label=gettext("Chat"),
        item_id=chat.pk,
        customer=chat.customer.get_full_name(),
        account=chat.account.name,
        requester_role=chat.customer.get_role_display(),
        title=chat.topic,
        waiting_since=chat.created_at,
        due_at=chat.due_at if waiting else None,
        breached=chat.breached_at is not None,
        business_critical=False,
        assignee_id=chat.specialist_id,
        assignee=chat.specialist.get_full_name() if chat.specialist else "",
        status_label=gettext("Waiting") if waiting else gettext("Held"),
        url=reverse("chat_console"),
        claimable=waiting,
    )


def inbox_chats(query: InboxQuery) -> list[InboxItem]:
    base = _base(query)
    if base is None:
        return []
    running = base.filter(status=ConversationStatus.WAITING)
    if query.breached:
        running = running.filter(due_at__lt=query.now)
    if query.due_soon:
        running = running.filter(due_at__gte=query.now, due_at__lte=query.due_soon_before)
    items = [_item(c) for c in running.order_by("due_at", "id")[: query.limit]]
    if len(items) < query.limit and not (query.breached or query.due_soon):
        held = base.filter(status=ConversationStatus.ACTIVE).order_by("created_at", "id")
        items += [_item(c) for c in held[: query.limit - len(items)]]
    return items


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
            items=inbox_chats,
            waiting_count=inbox_chats_waiting,
            claim=inbox_chat_claim,
        )
    )
