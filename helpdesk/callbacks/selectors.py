"""Reads for callback requests, scoped to the acting user."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.permissions import (
    can_view_customer_item,
    customer_item_filter,
    is_agent,
    is_customer,
)
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


def callback_get_for(*, user: User, callback_id: int) -> CallbackRequest:
    """The callback request if this user may see it; otherwise 404, revealing nothing."""
    callback = CallbackRequest.objects.filter(pk=callback_id).first()
    if callback is None or not can_view_customer_item(user, callback):
        raise Http404("No such callback request.")
    return callback


def callback_search_for_staff(
    *, user: User, statuses: list[str] | None = None
) -> QuerySet[CallbackRequest]:
    """Every callback request for agents (optionally of some statuses); nothing for others."""
    if not is_agent(user):
        return CallbackRequest.objects.none()
    callbacks = CallbackRequest.objects.select_related("requester", "holder")
    if statuses:
        callbacks = callbacks.filter(status__in=statuses)
    return callbacks
