"""Who may see and act on callback requests. Views and services enforce these."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.permissions import is_agent, is_customer, is_super_admin
from helpdesk.callbacks.models import CallbackRequest


def can_view_callback(user: User | AnonymousUser, callback: CallbackRequest) -> bool:
    if is_agent(user):
        return True
    if not is_customer(user) or callback.account_id != user.account_id:
        return False
    return is_super_admin(user) or callback.requester_id == user.pk
