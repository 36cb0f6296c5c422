"""Who is on the sockets: a specialist's presence, and a user's sockets closed or made
to re-check their rights (chat/signals.py calls these when a user's standing changes)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import staff_availability_set
from chat.models import PresenceStatus, SpecialistPresence
from chat.services.conversations import conversations_waiting_assign
from helpdesk.core.realtime import QUEUE_GROUP, account_group, broadcast_on_commit, user_group


def presence_set(*, specialist: User, status: PresenceStatus) -> SpecialistPresence:
    """Heartbeat and status of a specialist's open console. Announced only on a change.
    An open console is online only while the specialist is available, which they choose
    in the console (presence_choose) or in the admin header."""
    status = PresenceStatus(status)
    if (
        status == PresenceStatus.ONLINE
        and not User.objects.filter(pk=specialist.pk, available=True).exists()
    ):
        status = PresenceStatus.AWAY
    with transaction.atomic():
        presence, created = SpecialistPresence.objects.select_for_update().get_or_create(
            specialist=specialist, defaults={"status": status}
        )
        changed = created or presence.status != status
        presence.status = status
        presence.last_seen_at = timezone.now()
        presence.save(update_fields=["status", "last_seen_at"])
        if changed:
            # Waiting customers' expected wait and the email offer depend on it.
            broadcast_on_commit(QUEUE_GROUP, {"type": "chat.queue_changed"})
            if status == PresenceStatus.ONLINE and settings.AUTO_ASSIGN:
                transaction.on_commit(conversations_waiting_assign)
    return presence


def presence_choose(*, specialist: User, status: PresenceStatus) -> SpecialistPresence:
    """The specialist picks Online (available) or Away in the console: the same choice
    as the admin header's, kept on their user."""
    status = PresenceStatus(status)
    if status not in (PresenceStatus.ONLINE, PresenceStatus.AWAY):
        raise ValueError("status")
    with transaction.atomic():
        staff_availability_set(user=specialist, available=status == PresenceStatus.ONLINE)
        return presence_set(specialist=specialist, status=status)


def user_sockets_close(*, user_id: int) -> None:
    """Close every chat socket of this user, on every server (logout, deactivation)."""
    broadcast_on_commit(user_group(user_id), {"type": "chat.force_disconnect"})


def user_access_recheck(*, user_id: int) -> None:
    """Ask every socket of this user (chat, console, staff alerts), on every server, to
    re-check its rights now: a role, staff status, group, password or second factor
    changed."""
    broadcast_on_commit(user_group(user_id), {"type": "chat.recheck"})


def account_access_recheck(*, account_id: int) -> None:
    """Ask the account's open sockets to re-check entitlement (purchase or plan changed)."""
    broadcast_on_commit(account_group(account_id), {"type": "chat.recheck"})


def presence_follow_availability(user_id: int, available: bool) -> None:
    """An open console follows an availability chosen elsewhere (the admin header);
    becoming available is offered the waiting chats."""
    status = PresenceStatus.ONLINE if available else PresenceStatus.AWAY
    with transaction.atomic():
        changed = (
            SpecialistPresence.objects.filter(specialist_id=user_id)
            .exclude(status__in=[PresenceStatus.OFFLINE, status])
            .update(status=status)
        )
        if changed:
            broadcast_on_commit(QUEUE_GROUP, {"type": "chat.queue_changed"})
    if available:
        conversations_waiting_assign()
