"""Who may use each chat socket and read a chat's history (one rule for the sockets and
the HTTP history endpoint, so neither can be reached where the other is refused), and
what staff may do with chats in the admin."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser

from accounts.models import PremiumChannel, User
from accounts.permissions import (
    SPECIALISTS_GROUP,
    is_agent,
    is_customer,
    staff_permissions_grant,
)
from accounts.selectors import entitlement_for, is_mobile_app
from accounts.two_factor import session_second_factor_ok
from chat.models import Conversation, Message


def can_use_customer_chat(user: User | AnonymousUser, *, user_agent: str) -> bool:
    """/ws/chat/: an entitled customer, not from the mobile app (knowledge base only)."""
    if not is_customer(user) or is_mobile_app(user_agent):
        return False
    return entitlement_for(user=user).allows(PremiumChannel.CHAT)


def can_use_console(user: User | AnonymousUser, *, session: Mapping[str, Any]) -> bool:
    """/ws/chat/console/: a specialist or lead whose session passed its second factor."""
    return is_agent(user) and session_second_factor_ok(user=user, session=session)


def can_read_conversation(
    user: User | AnonymousUser,
    *,
    conversation: Conversation,
    session: Mapping[str, Any],
    user_agent: str,
) -> bool:
    """A chat's own customer, allowed on the customer socket, or its own specialist,
    allowed on the console: the two sockets that carry it."""
    if not user.is_authenticated:
        return False
    if conversation.customer_id == user.pk:
        return can_use_customer_chat(user, user_agent=user_agent)
    if conversation.specialist_id == user.pk:
        return can_use_console(user, session=session)
    return False


def can_download_chat_file(
    user: User | AnonymousUser,
    *,
    conversation: Conversation,
    session: Mapping[str, Any],
    user_agent: str,
) -> bool:
    """Who reads the chat, and staff who may read chats in the admin (its transcript
    page shows the files), with their second factor."""
    if can_read_conversation(
        user, conversation=conversation, session=session, user_agent=user_agent
    ):
        return True
    return (
        is_agent(user)
        and user.has_perm("chat.view_conversation")
        and session_second_factor_ok(user=user, session=session)
    )


def staff_permissions_register() -> None:
    """Specialists (and so leads) read chats and their messages in the admin. "change"
    is granted as before, though the admin shows a chat read-only: a chat changes through
    its services (accept, end, turn into a ticket) in the console."""
    staff_permissions_grant(
        group=SPECIALISTS_GROUP,
        models={Conversation: ("view", "change"), Message: ("view",)},
    )
