"""Who is on the sockets: a specialist's presence, and a user's sockets closed or made
to re-check their rights (chat/signals.py calls these when a user's standing changes)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from chat.models import PresenceStatus, SpecialistPresence
from helpdesk.core.realtime import QUEUE_GROUP, account_group, broadcast_on_commit, user_group


def presence_set(*, specialist: User, status: PresenceStatus) -> SpecialistPresence:
    """Heartbeat and status of a specialist's console. Announced only on a change."""
    status = PresenceStatus(status)
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
    return presence


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
