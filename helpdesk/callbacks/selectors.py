"""Reads for callback requests, scoped to the acting user."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.permissions import can_view_customer_item, is_agent, is_customer, is_super_admin
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
