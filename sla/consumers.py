"""Live SLA alerts for staff pages (admin and console)."""

import asyncio
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from accounts.models import User
from accounts.permissions import is_agent
from accounts.selectors import SocketAccess, socket_access
from accounts.two_factor import session_second_factor_ok
from helpdesk.core.channel_layer import EndsOnLayerLoss, forget_channel
from helpdesk.core.realtime import STAFF_GROUP, user_group
from helpdesk.core.sockets import recheck_periodically

logger = logging.getLogger(__name__)

# The page's client does not reconnect after these (it would be refused again).
CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN = 4403


def _allowed(user: User, session: dict[str, Any]) -> bool:
    return is_agent(user) and session_second_factor_ok(user=user, session=session)


class StaffAlertsConsumer(EndsOnLayerLoss, AsyncJsonWebsocketConsumer):
    """Alerts carry ticket subjects: the feed follows its user's rights like the chat
    sockets do. It joins the user's group, so a logout, a deactivation or a change of
    role, staff status, group, password or second factor closes it at once, and it
    re-checks before delivering once its last check is CHAT_ACCESS_RECHECK_SECONDS old."""

    rights_lost = False
    access_checked_at = 0.0
    joined: tuple[str, ...] = ()

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
        self.recheck_task = asyncio.create_task(
            recheck_periodically(self.recheck, closed=lambda: self.rights_lost)
        )

    async def disconnect(self, code: int) -> None:
        task = getattr(self, "recheck_task", None)
        if task is not None:
            task.cancel()
        try:
            for group in self.joined:
                await self.channel_layer.group_discard(group, self.channel_name)
        finally:
            await forget_channel(self.channel_layer, self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if self.rights_lost and kind != "websocket.disconnect":
            return  # closed for its user's rights: nothing more is delivered
        if kind in ("sla.alert", "queue.changed"):
            interval = settings.CHAT_ACCESS_RECHECK_SECONDS
            stale = time.monotonic() - self.access_checked_at > 2 * interval
            if stale and not await self.recheck():
                return
        await super().dispatch(message)

    async def recheck(self) -> bool:
        state = await self.access()
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

    async def sla_alert(self, event: dict) -> None:
        await self.send_json(
            {"type": "sla.alert", "total": event["total"], "alerts": event["alerts"]}
        )

    async def queue_changed(self, event: dict) -> None:
        await self.send_json({"type": "queue.changed", "queue": event["queue"]})
