"""Callbacks in the staff inbox (sla.inbox): waiting callbacks (their clock runs), then
the ones a specialist has claimed and still has to complete."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import User
from helpdesk.callbacks.models import CallbackRequest, CallbackStatus
from helpdesk.callbacks.services import ALREADY_CLAIMED, callback_claim
from sla.inbox import CALLBACK, InboxItem, InboxQuery, InboxSource, register


def _base(query: InboxQuery) -> QuerySet[CallbackRequest] | None:
    if query.critical:
        return None  # business-critical is a ticket's flag
    callbacks = CallbackRequest.objects.select_related("requester", "account", "holder")
    if query.mine:
        callbacks = callbacks.filter(holder_id=query.user_id)
    if query.unassigned:
        callbacks = callbacks.filter(holder__isnull=True)
    return callbacks


def _item(callback: CallbackRequest) -> InboxItem:
    waiting = callback.status == CallbackStatus.WAITING
    return InboxItem(
        kind=CALLBACK,
        kind_label=gettext("Callback"),
        item_id=callback.pk,
        customer=callback.requester.get_full_name(),
        account=callback.account.name,
        requester_role=callback.requester.get_role_display(),
        title=callback.topic,
        waiting_since=callback.created_at,
        due_at=callback.due_at if waiting else None,
        breached=callback.breached_at is not None,
        business_critical=False,
        assignee_id=callback.holder_id,
        assignee=callback.holder.get_full_name() if callback.holder else "",
        status_label=callback.get_status_display(),
        url=reverse("admin:callbacks_callbackrequest_change", args=[callback.pk]),
        claimable=waiting and callback.holder_id is None,
    )


def inbox_callbacks(query: InboxQuery) -> list[InboxItem]:
    base = _base(query)
    if base is None:
        return []
    running = base.filter(status=CallbackStatus.WAITING)
    if query.breached:
        running = running.filter(due_at__lt=query.now)
    if query.due_soon:
        running = running.filter(due_at__gte=query.now, due_at__lte=query.due_soon_before)
    items = [_item(c) for c in running.order_by("due_at", "id")[: query.limit]]
    if len(items) < query.limit and not (query.breached or query.due_soon):
        claimed = base.filter(status=CallbackStatus.IN_PROGRESS).order_by("created_at", "id")
        items += [_item(c) for c in claimed[: query.limit - len(items)]]
    return items


def inbox_callbacks_waiting(user: User) -> int:
    return CallbackRequest.objects.filter(
        Q(status=CallbackStatus.WAITING) | Q(status=CallbackStatus.IN_PROGRESS, holder_id=user.pk)
    ).count()


def inbox_callback_claim(callback_id: int, user: User) -> None:
    callback = CallbackRequest.objects.filter(pk=callback_id).first()
    if callback is None:
        raise ValidationError(ALREADY_CLAIMED)
    callback_claim(callback=callback, specialist=user)


def register_inbox() -> None:
    register(
        InboxSource(
            kind=CALLBACK,
            label=lambda: gettext("Callbacks"),
            items=inbox_callbacks,
            waiting_count=inbox_callbacks_waiting,
            claim=inbox_callback_claim,
        )
    )
