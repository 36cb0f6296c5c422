"""The customer's recent callback requests for the staff's customer panel
(accounts.activity)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.activity import ActivityItem, ActivitySource, register
from accounts.models import User
from helpdesk.callbacks.models import CallbackRequest, CallbackStatus

_OPEN = (CallbackStatus.WAITING, CallbackStatus.IN_PROGRESS)


def recent_callbacks(customer: User, limit: int) -> list[ActivityItem]:
    callbacks = CallbackRequest.objects.filter(requester=customer).order_by("-created_at", "-id")[
        :limit
    ]
    return [
        ActivityItem(
            kind="callback",
            kind_label=str(_("Callback")),
            title=callback.topic,
            status_label=callback.get_status_display(),
            is_open=callback.status in _OPEN,
            at=callback.created_at,
            url=reverse("admin:callbacks_callbackrequest_change", args=[callback.pk]),
        )
        for callback in callbacks
    ]


def register_activity() -> None:
    register(ActivitySource(name="callback", recent=recent_callbacks))
