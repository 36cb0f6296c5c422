"""The customer's callback requests on the help dialog's home (accounts.conversations)."""

from datetime import datetime

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from accounts.conversations import ConversationItem, register
from accounts.models import User
from helpdesk.callbacks.models import CallbackRequest, CallbackStatus

OPEN = (CallbackStatus.WAITING, CallbackStatus.IN_PROGRESS)


def callbacks_for_home(user: User, since: datetime, limit: int) -> list[ConversationItem]:
    """The user's own callback requests, open or closed since `since`; each opens on its
    row in My tickets (where its status and Cancel are)."""
    callbacks = (
        CallbackRequest.objects.filter(requester=user)
        .annotate(activity=Coalesce("closed_at", "created_at"))
        .filter(Q(status__in=OPEN) | Q(activity__gte=since))
        .order_by("-activity")[:limit]
    )
    return [
        ConversationItem(
            kind="callback",
            id=c.pk,
            title=c.topic,
            status=c.status,
            status_label=str(c.get_status_display()),
            is_open=c.status in OPEN,
            last_activity=c.activity,
            url=f"{reverse('ticket_list')}#callback-{c.pk}",
        )
        for c in callbacks
    ]


def conversations_register() -> None:
    register("callbacks", callbacks_for_home)
