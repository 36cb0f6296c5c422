"""What staff may do with chats in the admin."""

from accounts.permissions import SPECIALISTS_GROUP, staff_permissions_grant
from chat.models import Conversation, Message


def staff_permissions_register() -> None:
    """Specialists (and so leads) read chats and their messages in the admin. "change"
    is granted as before, though the admin shows a chat read-only: a chat changes through
    its services (accept, end, turn into a ticket) in the console."""
    staff_permissions_grant(
        group=SPECIALISTS_GROUP,
        models={Conversation: ("view", "change"), Message: ("view",)},
    )
