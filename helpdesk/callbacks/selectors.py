"""Reads for callback requests, scoped to the acting user."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.permissions import customer_item_filter, is_customer
from helpdesk.callbacks.models import CallbackRequest, CallbackStatus


def callback_list_for(*, user: User) -> QuerySet[CallbackRequest]:
    """My callback requests: the whole account's for a super admin, a regular user's own.
    Staff work the queue (`callback_queue`), not this list."""
    if not is_customer(user):
        return CallbackRequest.objects.none()
    callbacks = CallbackRequest.objects.filter(customer_item_filter(user))
    return callbacks.order_by("-created_at", "-id")


def callback_queue() -> QuerySet[CallbackRequest]:
    """Waiting callbacks, oldest first."""
    return CallbackRequest.objects.filter(status=CallbackStatus.WAITING).order_by(
        "created_at", "id"
    )
