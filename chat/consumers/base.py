"""The socket both chat sides share: frame parsing, errors, the flood limit, the user's
rights (checked on connect, on a timer and on every signal), groups, and riding out a
channel layer outage. Rules live in chat.services and chat.selectors; the consumers
only translate frames to calls."""

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.models import User
from accounts.selectors import SocketAccess, socket_access
from accounts.sockets import RightsRechecked
from chat import selectors, services
from chat.consumers.frames import (
    ACCESS_LOST,
    CLOSE_FORBIDDEN,
    CLOSE_RESUME,
    CLOSE_SIGNED_OUT,
    FRAME_MAX,
    MALFORMED,
    RATE_LIMITED,
    SESSION_ENDED,
    TEXT_ONLY,
    UNKNOWN_TYPE,
    error_message,
    rate_limiter,
    scope_language,
    user_agent,
)
from chat.consumers.writer import MessageWriter
from helpdesk.core.channel_layer import LayerEventHook, forget_channel
from helpdesk.core.sockets import recheck_join, recheck_leave

logger = logging.getLogger(__name__)

# While the channel layer (Redis) is away, a socket keeps storing and acknowledging
# messages and retries the layer, waiting this long at first, doubling up to the cap.
LAYER_RETRY_FIRST_SECONDS = 0.5
LAYER_RETRY_MAX_SECONDS = 5.0
# A heartbeat's group refresh gives up after this long (Redis unreachable, not stopped).
REFRESH_GROUPS_SECONDS = 1.0

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class ChatSocket(RightsRechecked, MessageWriter, LayerEventHook, AsyncWebsocketConsumer):
    """What both sides share: frame parsing, errors, flood limit, forced close, and
    riding out a channel layer outage."""

    groups_joined: set[str]
    access_checked_at: float = 0.0
    # True from a failed channel layer call until the socket has re-joined its groups.
    layer_down: bool = False

    @property
    def user(self) -> User:
        return self.scope["user"]

    # True once the socket was closed for its user's rights: nothing more is delivered.
    rights_lost: bool = False
    language: str = settings.LANGUAGE_CODE

    def handlers(self) -> dict[str, Handler]:
        raise NotImplementedError

    def allowed(self, user: User, session: dict[str, Any]) -> bool:
        """This socket's rule for a signed-in user (synchronous, may query)."""
        raise NotImplementedError

    @database_sync_to_async
    def access(self) -> SocketAccess:
        return socket_access(scope=self.scope, allowed=self.allowed)

    async def has_access(self) -> bool:
        return await self.access() == SocketAccess.OK

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch, without the close_old_connections() thread hop it makes
        before every frame and every group event: that hop is on each message's path
        twice (the sender's frame, the receiver's event), and these consumers reach the
        database only through (database_)sync_to_async calls that look after their
        connection themselves.

        A socket closed for its user's rights delivers nothing more; a group event that
        finds the last access check older than CHAT_ACCESS_RECHECK_SECONDS checks again
        first (rights changed by a path that sent no signal, such as a bulk update)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        kind = message["type"]
        if kind == "websocket.connect":
            self.language = scope_language(self.scope)
        if self.rights_lost and kind != "websocket.disconnect":
            return
        relayed = kind.startswith("chat.") and kind not in ("chat.force_disconnect", "chat.recheck")
        if relayed and self.access_stale() and not await self.recheck_access():
            return
        with translation.override(self.language):
            await handler(message)

    async def open(self, groups: list[str]) -> bool:
        """Check access and join groups; accept last. False if refused. A channel layer
        outage does not refuse the socket: messages are still stored and acknowledged."""
        self.groups_joined = set()
        if not await self.has_access():
            await self.close(code=CLOSE_FORBIDDEN)
            return False
        for group in groups:
            await self.join(group)
        self.access_checked_at = time.monotonic()
        await self.accept()
        recheck_join(self)
        return True

    async def disconnect(self, code: int) -> None:
        recheck_leave(self)
        for group in list(getattr(self, "groups_joined", ())):
            await self.leave(group)
        # Also while the layer is down, when the loop above left the layer alone.
        await forget_channel(self.channel_layer, getattr(self, "channel_name", ""))

    # Frames in and out.
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send_error("text_only", TEXT_ONLY)
            return
        if not rate_limiter.allow(self.user.pk):
            await self.send_error("rate_limited", RATE_LIMITED)
            return
        if len(text_data) > FRAME_MAX:
            await self.send_error("too_long", services.MESSAGE_TOO_LONG)
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            frame = None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error("malformed", MALFORMED)
            return
        handler = self.handlers().get(frame["type"])
        if handler is None:
            await self.send_error("unknown_type", UNKNOWN_TYPE)
            return
        if self.access_stale() and not await self.recheck_access():
            return
        try:
            await handler(frame)
        except ValidationError as exc:
            code = "too_long" if services.MESSAGE_TOO_LONG in exc.messages else "invalid"
            await self.send_error(code, error_message(exc), client_id=frame.get("client_id"))
        except PermissionDenied as exc:
            await self.send_error("forbidden", error_message(exc))
        except (TypeError, ValueError, KeyError):
            await self.send_error("malformed", MALFORMED)

    async def send_json(self, content: dict[str, Any]) -> None:
        try:
            await self.send(text_data=json.dumps(content))
        except Disconnected:
            # The client closed while a group event was on its way here (a reload, say):
            # the disconnect is next in line and ends this consumer. Not an error.
            logger.debug("chat socket closed before a frame was sent")

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        # str(): the messages are lazily translated constants, which json.dumps refuses.
        await self.send_json({"type": "error", "code": code, "message": str(message), **extra})

    # The user's rights.
    def access_stale(self) -> bool:
        """The periodic re-check is late (it runs every CHAT_ACCESS_RECHECK_SECONDS):
        check before acting on this frame or event. Twice the interval, so the message
        path does not query for a check that the timer is about to make anyway."""
        interval = settings.CHAT_ACCESS_RECHECK_SECONDS
        return time.monotonic() - self.access_checked_at > 2 * interval

    async def recheck_access(self) -> bool:
        """Check the user's rights now; close the socket (and deliver nothing more) if
        they are gone: signed out (session ended, password changed, deactivated) or no
        longer allowed here (entitlement, role, staff status, second factor)."""
        return await self.access_apply(await self.access())

    # The process's periodic round (helpdesk.core.sockets): sockets of one session, user
    # and kind share one check.
    def recheck_key(self) -> Hashable:
        session = self.scope.get("session")
        key = session.session_key if session is not None else None
        return (type(self).__name__, key, self.user.pk, user_agent(self.scope))

    async def access_apply(self, state: SocketAccess) -> bool:
        if state == SocketAccess.OK:
            self.access_checked_at = time.monotonic()
            return True
        if state == SocketAccess.SIGNED_OUT:
            await self.close_for_rights("signed_out", SESSION_ENDED, CLOSE_SIGNED_OUT)
        else:
            await self.close_for_rights("access_lost", ACCESS_LOST, CLOSE_FORBIDDEN)
        return False

    async def close_for_rights(self, code: str, message: str, close_code: int) -> None:
        if self.rights_lost:
            return
        self.rights_lost = True
        await self.send_error(code, message)
        await self.close(code=close_code)

    async def chat_force_disconnect(self, event: dict) -> None:
        await self.close_for_rights("signed_out", SESSION_ENDED, CLOSE_SIGNED_OUT)

    async def chat_recheck(self, event: dict) -> None:
        await self.recheck_access()

    # Groups, and the channel layer's outages.
    async def join(self, group: str) -> None:
        """Belong to a group. While the layer is down the group is only noted: the
        socket joins it when the layer answers again."""
        self.groups_joined.add(group)
        if self.layer_down:
            return
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except Exception:
            logger.warning("chat channel layer unavailable", exc_info=True)
            self.layer_down = True

    async def leave(self, group: str) -> None:
        self.groups_joined.discard(group)
        if self.layer_down:
            return
        try:
            await self.channel_layer.group_discard(group, self.channel_name)
        except Exception:
            logger.warning("chat channel layer unavailable", exc_info=True)
            self.layer_down = True

    async def refresh_groups(self) -> None:
        """Join every group again (ZADD: idempotent). A Redis that restarted between two
        reads of this socket's blocking pop has forgotten the groups without the socket
        ever seeing an error; a heartbeat puts them back."""
        if self.layer_down:
            return
        try:
            # Bounded: with Redis unreachable (not stopped) a call could wait for the
            # layer's 30 s read timeout and hold up this socket's frames meanwhile.
            async with asyncio.timeout(REFRESH_GROUPS_SECONDS):
                await self._add_to_groups()
        except Exception:
            logger.warning("chat groups not refreshed")

    async def _add_to_groups(self) -> None:
        for group in list(self.groups_joined):
            await self.channel_layer.group_add(group, self.channel_name)

    async def last_seqs(self, conversation_ids: list[int]) -> dict[str, int]:
        if not conversation_ids:
            return {}  # an idle socket's heartbeat: no thread hop, no query
        seqs = await database_sync_to_async(selectors.last_seqs)(conversation_ids=conversation_ids)
        return {str(pk): seq for pk, seq in seqs.items()}

    async def next_layer_event(self) -> dict[str, Any]:
        """The next group event; outlasts a layer outage rather than ending the socket."""
        delay = LAYER_RETRY_FIRST_SECONDS
        while True:
            if not self.layer_down:
                try:
                    return await self._layer_receive()
                except Exception:
                    logger.warning("chat channel layer unavailable", exc_info=True)
                    self.layer_down = True
            await asyncio.sleep(delay)
            delay = min(2 * delay, LAYER_RETRY_MAX_SECONDS)
            if await self._rejoin():
                return {"type": "chat.layer_back"}

    async def _rejoin(self) -> bool:
        """Join every group again (a restarted Redis has none). True once all joined."""
        try:
            await self._add_to_groups()
        except Exception:
            return False
        self.layer_down = False
        return True

    async def chat_layer_back(self, event: dict) -> None:
        # Group events sent during the outage never reached this socket: the client
        # reconnects and resumes from its last sequence number, as after any drop.
        await self.close(code=CLOSE_RESUME)
