"""Callbacks in the staff inbox (sla.inbox): waiting callbacks (their clock runs), then
the ones a specialist has claimed and still has to complete."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import Role, User
from helpdesk.callbacks.models import CallbackRequest, CallbackStatus
from helpdesk.callbacks.services import ALREADY_CLAIMED, callback_claim
from sla.inbox import (
    CALLBACK,
    Candidate,
    InboxItem,
    InboxQuery,
    InboxSource,
    clock_then_held_candidates,
    register,
)


def _filtered(query: InboxQuery) -> QuerySet[CallbackRequest] | None:
    if query.critical:
        return None  # business-critical is a ticket's flag
    callbacks = CallbackRequest.objects.all()
    if query.mine:
        callbacks = callbacks.filter(holder_id=query.user_id)
    if query.unassigned:
        callbacks = callbacks.filter(holder__isnull=True)
    return callbacks


def inbox_callback_candidates(query: InboxQuery) -> list[Candidate]:
    base = _filtered(query)
    if base is None:
        return []
    return clock_then_held_candidates(
        kind=CALLBACK,
        query=query,
        running=base.filter(status=CallbackStatus.WAITING),
        held=base.filter(status=CallbackStatus.IN_PROGRESS),
    )


def inbox_callback_items(ids: list[int]) -> dict[int, InboxItem]:
    callbacks = (
        CallbackRequest.objects.filter(pk__in=ids)
        .select_related("requester", "account", "holder")
        .only(
            "id",
            "topic",
            "status",
            "created_at",
            "due_at",
            "breached_at",
            "account_id",
            "requester_id",
            "holder_id",
            "account__name",
            "requester__full_name",
            "requester__email",
            "requester__role",
            "holder__full_name",
            "holder__email",
        )
    )
    # Labels once per call, not get_FOO_display() per row.
    roles, statuses = (
        {k: str(v) for k, v in Role.choices},
        {k: str(v) for k, v in CallbackStatus.choices},
    )
    return {callback.pk: _item(callback, roles, statuses) for callback in callbacks}


def _item(callback: CallbackRequest, roles: dict[str, str], statuses: dict[str, str]) -> InboxItem:
    waiting = callback.status == CallbackStatus.WAITING
    return InboxItem(
        kind=CALLBACK,
        kind_label=gettext("Callback"),
        item_id=callback.pk,
        customer=callback.requester.get_full_name(),
        account=callback.account.name,
        requester_role=str(roles.get(callback.requester.role, callback.requester.role)),
        title=callback.topic,
        waiting_since=callback.created_at,
        due_at=callback.due_at if waiting else None,
        breached=callback.breached_at is not None,
        business_critical=False,
        assignee_id=callback.holder_id,
        assignee=callback.holder.get_full_name() if callback.holder else "",
        status_label=str(statuses.get(callback.status, callback.status)),
        url=reverse("admin:callbacks_callbackrequest_change", args=[callback.pk]),
        claimable=waiting and callback.holder_id is None,
    )


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
            candidates=inbox_callback_candidates,
            items=inbox_callback_items,
            waiting_count=inbox_callbacks_waiting,
            claim=inbox_callback_claim,
        )
    )
