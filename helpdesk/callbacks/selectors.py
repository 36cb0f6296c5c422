"""Reads for callback requests, scoped to the acting user."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.permissions import is_customer, is_super_admin
from helpdesk.callbacks.models import CallbackRequest, CallbackStatus


def callback_list_for(*, user: User) -> QuerySet[CallbackRequest]:
    if not is_customer(user):
        return CallbackRequest.objects.none()
    assert user.account_id is not None  # a customer has an account
    callbacks = CallbackRequest.objects.filter(account_id=user.account_id)
    if not is_super_admin(user):
        callbacks = callbacks.filter(requester=user)
    return callbacks.order_by("-created_at", "-id")


def callback_queue() -> QuerySet[CallbackRequest]:
    """Waiting callbacks, oldest first."""
    return CallbackRequest.objects.filter(status=CallbackStatus.WAITING).order_by(
        "created_at", "id"
    )
