"""Who else is on a ticket's page right now: viewers and typing, for the collision notice.

Presence has no row behind it: it lives in the ticket's group only. A socket announces
itself on connect (`presence.join`), the sockets already there answer the newcomer
(`presence.here`), typing is relayed (`presence.typing`), and a disconnect says
`presence.leave`. Each connection has an opaque `peer` id, so one specialist with two
tabs is one viewer until both close."""

import time
import uuid
from typing import Any, cast

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.models import User
from accounts.selectors import SocketAccess, socket_access
from accounts.two_factor import session_second_factor_ok
from helpdesk.core.channel_layer import EndsOnLayerLoss, forget_channel
from helpdesk.core.realtime import broadcast_ephemeral, user_group
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.permissions import can_work_ticket

CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NO_TICKET = 4404
# A client sends "typing" at most every 2 s; more often is dropped, not relayed.
TYPING_MIN_INTERVAL = 1.0


def ticket_viewers_group(ticket_id: int) -> str:
    return f"tickets.viewers.{ticket_id}"


def _allowed(user: User, session: dict[str, Any]) -> bool:
    return can_work_ticket(user) and session_second_factor_ok(user=user, session=session)


class TicketViewersConsumer(EndsOnLayerLoss, AsyncJsonWebsocketConsumer):
    group = ""
    peer = ""
    last_typing = 0.0

    @database_sync_to_async
    def access(self) -> tuple[SocketAccess, bool]:
        # The scope is a dict at run time; Channels' stubs type it as a TypedDict.
        state = socket_access(scope=cast(dict[str, Any], self.scope), allowed=_allowed)
        exists = Ticket.objects.filter(pk=self.scope["url_route"]["kwargs"]["ticket_id"]).exists()
        return state, exists

    def _user(self) -> User:
        # connect() admitted only a signed-in specialist or lead.
        return cast(User, self.scope["user"])

    def _me(self) -> dict[str, Any]:
        user = self._user()
        return {"user_id": user.pk, "name": user.get_full_name() or user.email, "peer": self.peer}

    async def connect(self) -> None:
        state, exists = await self.access()
        if state != SocketAccess.OK:
            code = CLOSE_SIGNED_OUT if state == SocketAccess.SIGNED_OUT else CLOSE_FORBIDDEN
            await self.close(code=code)
            return
        if not exists:
            await self.close(code=CLOSE_NO_TICKET)
            return
        self.peer = uuid.uuid4().hex
        self.group = ticket_viewers_group(self.scope["url_route"]["kwargs"]["ticket_id"])
        await self.channel_layer.group_add(self.group, self.channel_name)
        # The user's group: a logout or a change of rights closes the socket (chat.services).
        await self.channel_layer.group_add(user_group(self._user().pk), self.channel_name)
        await self.accept()
        await broadcast_ephemeral(
            self.group, {"type": "viewer.join", "reply_to": self.channel_name, **self._me()}
        )

    async def disconnect(self, code: int) -> None:
        if not self.group:
            return
        try:
            await broadcast_ephemeral(self.group, {"type": "viewer.leave", **self._me()})
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(user_group(self._user().pk), self.channel_name)
        finally:
            await forget_channel(self.channel_layer, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "typing":
            return  # the only thing a viewer says
        now = time.monotonic()
        if now - self.last_typing < TYPING_MIN_INTERVAL:
            return
        self.last_typing = now
        await broadcast_ephemeral(self.group, {"type": "viewer.typing", **self._me()})

    def _frame(self, kind: str, event: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": kind,
            "user_id": event["user_id"],
            "name": event["name"],
            "peer": event["peer"],
        }

    async def viewer_join(self, event: dict[str, Any]) -> None:
        if event["peer"] == self.peer:
            return
        await self.send_json(self._frame("presence.join", event))
        # Tell the newcomer this socket is here too.
        await self.channel_layer.send(event["reply_to"], {"type": "viewer.here", **self._me()})

    async def viewer_here(self, event: dict[str, Any]) -> None:
        await self.send_json(self._frame("presence.here", event))

    async def viewer_typing(self, event: dict[str, Any]) -> None:
        if event["peer"] != self.peer:
            await self.send_json(self._frame("presence.typing", event))

    async def viewer_leave(self, event: dict[str, Any]) -> None:
        if event["peer"] != self.peer:
            await self.send_json(self._frame("presence.leave", event))

    # The user's group events (sent by chat.services for every socket of a user).
    async def chat_force_disconnect(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_SIGNED_OUT)

    async def chat_subscribe(self, event: dict[str, Any]) -> None:
        return  # for the user's console tabs; accepting a chat used to close this socket

    async def chat_recheck(self, event: dict[str, Any]) -> None:
        state, _exists = await self.access()
        if state != SocketAccess.OK:
            code = CLOSE_SIGNED_OUT if state == SocketAccess.SIGNED_OUT else CLOSE_FORBIDDEN
            await self.close(code=code)
