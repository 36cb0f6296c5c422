"""Live SLA alerts for staff pages (admin and console)."""

import logging
import time
from collections.abc import Hashable
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from accounts.models import User
from accounts.permissions import is_agent
from accounts.selectors import SocketAccess, socket_access
from accounts.sockets import RightsRechecked
from accounts.two_factor import session_second_factor_ok
from helpdesk.core.channel_layer import EndsOnLayerLoss, forget_channel
from helpdesk.core.realtime import STAFF_GROUP, user_group
from helpdesk.core.sockets import recheck_join, recheck_leave

logger = logging.getLogger(__name__)

# The page's client does not reconnect after these (it would be refused again).
CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN = 4403


def _allowed(user: User, session: dict[str, Any]) -> bool:
    return is_agent(user) and session_second_factor_ok(user=user, session=session)


class StaffAlertsConsumer(RightsRechecked, EndsOnLayerLoss, AsyncJsonWebsocketConsumer):
    """Alerts carry ticket subjects: the feed follows its user's rights like the chat
    sockets do. It joins the user's group, so a logout, a deactivation or a change of
    role, staff status, group, password or second factor closes it at once, and it
    re-checks before delivering once its last check is CHAT_ACCESS_RECHECK_SECONDS old."""

    rights_lost = False
    access_checked_at = 0.0
    joined: tuple[str, ...] = ()

    def allowed(self, user: User, session: dict[str, Any]) -> bool:
        return _allowed(user, session)

    @database_sync_to_async
    def access(self) -> SocketAccess:
        return socket_access(scope=self.scope, allowed=_allowed)

    async def connect(self) -> None:
        if await self.access() != SocketAccess.OK:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.access_checked_at = time.monotonic()
        self.joined = (STAFF_GROUP, user_group(self.scope["user"].pk))
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        recheck_join(self)

    async def disconnect(self, code: int) -> None:
        recheck_leave(self)
        try:
            for group in self.joined:
                await self.channel_layer.group_discard(group, self.channel_name)
        finally:
            await forget_channel(self.channel_layer, self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if self.rights_lost and kind != "websocket.disconnect":
            return  # closed for its user's rights: nothing more is delivered
        if kind in ("sla.alert", "queue.changed", "inbox.changed"):
            interval = settings.CHAT_ACCESS_RECHECK_SECONDS
            stale = time.monotonic() - self.access_checked_at > 2 * interval
            if stale and not await self.recheck():
                return
        await super().dispatch(message)

    async def recheck(self) -> bool:
        return await self.access_apply(await self.access())

    # The process's periodic round (helpdesk.core.sockets): one check per session.
    def recheck_key(self) -> Hashable:
        session = self.scope.get("session")
        key = session.session_key if session is not None else None
        return (type(self).__name__, key, self.scope["user"].pk)

    async def access_apply(self, state: SocketAccess) -> bool:
        if state == SocketAccess.OK:
            self.access_checked_at = time.monotonic()
            return True
        self.rights_lost = True
        await self.close(
            code=CLOSE_SIGNED_OUT if state == SocketAccess.SIGNED_OUT else CLOSE_FORBIDDEN
        )
        return False

    async def receive_json(self, content, **kwargs) -> None:
        # Read-only feed: anything a client sends is ignored.
        return

    # The user's group events (sent by chat.services for every socket of a user).
    async def chat_force_disconnect(self, event: dict) -> None:
        self.rights_lost = True
        await self.close(code=CLOSE_SIGNED_OUT)

    async def chat_recheck(self, event: dict) -> None:
        await self.recheck()

    async def chat_subscribe(self, event: dict) -> None:
        # For the user's console tabs (a chat they now hold): nothing for this feed. Without
        # a handler, accepting a chat closed the staff pages' alert sockets.
        return

    async def sla_alert(self, event: dict) -> None:
        await self.send_json(
            {"type": "sla.alert", "total": event["total"], "alerts": event["alerts"]}
        )

    async def queue_changed(self, event: dict) -> None:
        await self.send_json({"type": "queue.changed", "queue": event["queue"]})

    async def inbox_changed(self, event: dict) -> None:
        """An inbox item is new, claimed, answered, warned or breached (sla.inbox)."""
        await self.send_json(
            {
                "type": "inbox.changed",
                "kind": event["kind"],
                "id": event["id"],
                "change": event["change"],
                "title": event.get("title", ""),
                "assignee": event.get("assignee"),
            }
        )
