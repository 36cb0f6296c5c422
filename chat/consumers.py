"""WebSocket consumers: connection life-cycle and JSON in and out. Rules live in
chat.services and chat.selectors; these only translate frames to calls.

Frames in and out are JSON objects with a "type". Every refusal is an "error" frame with
a code and a message (module constants below); the socket stays open unless the user
lost the right to be there."""

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, trans_real

from accounts.models import PremiumChannel, User
from accounts.permissions import is_agent, is_customer
from accounts.selectors import SocketAccess, entitlement_for, socket_access
from accounts.two_factor import session_second_factor_ok
from chat import selectors, services
from chat.models import ConversationStatus, PresenceStatus, SenderRole
from helpdesk.core.channel_layer import LayerEventHook, forget_channel
from helpdesk.core.realtime import (
    CONSOLE_GROUP,
    QUEUE_GROUP,
    account_group,
    broadcast_ephemeral,
    call_service,
    conversation_group,
    user_group,
)

logger = logging.getLogger(__name__)

# Larger frames are refused before parsing: a message is at most 4,000 characters,
# which is at most 24 kB of JSON even if every character is escaped.
FRAME_MAX = 32_000

MALFORMED = gettext_lazy("That frame was not a JSON object with a type.")
TEXT_ONLY = gettext_lazy("Send text frames only.")
UNKNOWN_TYPE = gettext_lazy("Unknown frame type.")
RATE_LIMITED = gettext_lazy("You are sending too fast. Wait a few seconds, then try again.")
NO_OPEN_CHAT = gettext_lazy("You have no open chat.")
SESSION_ENDED = gettext_lazy("You were signed out, so this chat connection was closed.")
ACCESS_LOST = gettext_lazy("Premium chat is no longer available to you.")
SERVICE_UNAVAILABLE = gettext_lazy(
    "Chat is briefly unavailable. Your message was not sent; try again."
)

# Close codes (4000-4999 are the application's): the client does not reconnect after
# these two, because reconnecting would be refused again.
CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN = 4403
# The client reconnects after this one and resumes: the socket missed group events.
CLOSE_RESUME = 4503

# History sent in one frame (a resume, the console's state) is the newest messages up to
# these bounds: Daphne refuses frames over 1 MiB, which a long chat of pasted logs (or a
# few hundred 4,000-character messages in Japanese, six bytes each as JSON) passed, and
# the console could then not connect at all. Older messages stay in the transcript; the
# frame's "from_seq" tells the client where what it was sent begins.
HISTORY_MESSAGES = 200
HISTORY_BYTES = 600_000

# While the channel layer (Redis) is away, a socket keeps storing and acknowledging
# messages and retries the layer, waiting this long at first, doubling up to the cap.
LAYER_RETRY_FIRST_SECONDS = 0.5
LAYER_RETRY_MAX_SECONDS = 5.0
# A heartbeat's group refresh gives up after this long (Redis unreachable, not stopped).
REFRESH_GROUPS_SECONDS = 1.0


class _Window:
    """A fixed-window frame counter per user, shared by that user's sockets in this
    process. In process on purpose: it keeps working when Redis is down, and costs
    nothing per frame."""

    def __init__(self) -> None:
        self.counts: dict[int, tuple[int, int]] = {}

    def allow(self, user_id: int) -> bool:
        window = settings.CHAT_RATE_LIMIT_WINDOW_SECONDS
        current = int(time.monotonic() // window)
        start, count = self.counts.get(user_id, (current, 0))
        if start != current:
            start, count = current, 0
        if count >= settings.CHAT_RATE_LIMIT_FRAMES:
            return False
        self.counts[user_id] = (start, count + 1)
        if len(self.counts) > 10_000:  # forget stale windows now and then
            self.counts = {k: v for k, v in self.counts.items() if v[0] == current}
        return True


rate_limiter = _Window()


def _headers(scope: dict) -> dict[str, str]:
    return {k.decode("latin1").lower(): v.decode("latin1") for k, v in scope.get("headers", [])}


def _is_mobile_app(scope: dict) -> bool:
    marker = settings.MOBILE_APP_USER_AGENT_MARKER
    return bool(marker) and marker.lower() in _headers(scope).get("user-agent", "").lower()


def _scope_language(scope: dict) -> str:
    """The language the page chose (the language cookie, else Accept-Language), as
    LocaleMiddleware would pick it: error frames are read by the same person."""
    cookie = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
    wanted = [cookie] if cookie else []
    accept = _headers(scope).get("accept-language", "")
    wanted += [code for code, _ in trans_real.parse_accept_lang_header(accept)]
    for code in wanted:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or services.NOT_A_PARTICIPANT


Handler = Callable[[dict[str, Any]], Awaitable[None]]


class ChatSocket(LayerEventHook, AsyncWebsocketConsumer):
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
            self.language = _scope_language(self.scope)
        if self.rights_lost and kind != "websocket.disconnect":
            return
        relayed = kind.startswith("chat.") and kind not in ("chat.force_disconnect", "chat.recheck")
        if relayed and self.access_stale() and not await self.recheck_access():
            return
        with translation.override(self.language):
            await handler(message)

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
        seqs = await database_sync_to_async(selectors.last_seqs)(conversation_ids=conversation_ids)
        return {str(pk): seq for pk, seq in seqs.items()}

    async def leave(self, group: str) -> None:
        self.groups_joined.discard(group)
        if self.layer_down:
            return
        try:
            await self.channel_layer.group_discard(group, self.channel_name)
        except Exception:
            logger.warning("chat channel layer unavailable", exc_info=True)
            self.layer_down = True

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
        self.recheck_task = asyncio.create_task(self.recheck_periodically())
        return True

    def access_stale(self) -> bool:
        """The periodic re-check is late (it runs every CHAT_ACCESS_RECHECK_SECONDS):
        check before acting on this frame or event. Twice the interval, so the message
        path does not query for a check that the timer is about to make anyway."""
        interval = settings.CHAT_ACCESS_RECHECK_SECONDS
        return time.monotonic() - self.access_checked_at > 2 * interval

    async def recheck_periodically(self) -> None:
        """Re-check the user's rights every CHAT_ACCESS_RECHECK_SECONDS, so a change that
        sent no signal (a bulk update, a row deleted in SQL) closes the socket within
        that time even if nothing is said on it. A database outage keeps the socket."""
        while not self.rights_lost:
            await asyncio.sleep(max(settings.CHAT_ACCESS_RECHECK_SECONDS, 1))
            try:
                if not await self.recheck_access():
                    return
            except Exception:
                logger.warning("socket access re-check failed", exc_info=True)

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

    async def disconnect(self, code: int) -> None:
        task = getattr(self, "recheck_task", None)
        if task is not None:
            task.cancel()
        for group in list(getattr(self, "groups_joined", ())):
            await self.leave(group)
        # Also while the layer is down, when the loop above left the layer alone.
        await forget_channel(self.channel_layer, getattr(self, "channel_name", ""))

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

    # Messages are stored by one writer task per socket, in the order received; frames
    # that arrive while a write is in flight are stored together in the next transaction.
    writer: asyncio.Task | None = None
    pending: list[tuple[int, str, str]]

    async def queue_message(self, conversation_id: int, frame: dict) -> None:
        body, client_id = services.message_clean(
            body=frame.get("body"), client_id=frame.get("client_id", "")
        )
        if not hasattr(self, "pending"):
            self.pending = []
        self.pending.append((conversation_id, body, client_id))
        if client_id:
            self.expect_own(conversation_id, client_id)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write_pending())

    @staticmethod
    def error_frame(code: str, message: str, client_id: str) -> dict[str, Any]:
        return {"type": "error", "code": code, "message": str(message), "client_id": client_id}

    async def send_quietly(self, frame: dict[str, Any]) -> None:
        """Send from the writer task, which may outlive the socket: the messages are
        stored either way, and a reconnecting client learns of them by resuming."""
        try:
            await self.send_json(frame)
        except Exception:
            logger.info("chat socket closed before its acknowledgement was sent")

    async def drain_messages(self) -> None:
        """Wait until every queued message is stored (before ending a chat, say)."""
        if self.writer is not None and not self.writer.done():
            await asyncio.shield(self.writer)

    async def _write_pending(self) -> None:
        while self.pending:
            conversation_id = self.pending[0][0]
            batch = []
            while self.pending and self.pending[0][0] == conversation_id:
                batch.append(self.pending.pop(0)[1:])
            try:
                messages = await services.message_store(
                    conversation_id=conversation_id, sender=self.user, items=batch
                )
            except (ValidationError, PermissionDenied) as exc:
                for _, client_id in batch:
                    await self.send_quietly(
                        self.error_frame("invalid", _error_message(exc), client_id)
                    )
                continue
            except Exception:
                logger.exception("storing chat messages failed")
                for _, client_id in batch:
                    await self.send_quietly(
                        self.error_frame("unavailable", SERVICE_UNAVAILABLE, client_id)
                    )
                continue
            for message in messages:
                await self.send_quietly(
                    {
                        "type": "ack",
                        "conversation": message.conversation_id,
                        "client_id": message.client_id,
                        "seq": message.seq,
                        # The stored message: this socket does not hear its own broadcast.
                        "message": services.message_payload(message),
                    }
                )

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
            await self.send_error(code, _error_message(exc), client_id=frame.get("client_id"))
        except PermissionDenied as exc:
            await self.send_error("forbidden", _error_message(exc))
        except (TypeError, ValueError, KeyError):
            await self.send_error("malformed", MALFORMED)

    async def recheck_access(self) -> bool:
        """Check the user's rights now; close the socket (and deliver nothing more) if
        they are gone: signed out (session ended, password changed, deactivated) or no
        longer allowed here (entitlement, role, staff status, second factor)."""
        state = await self.access()
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

    # Group events shared by both sides.
    async def chat_force_disconnect(self, event: dict) -> None:
        await self.close_for_rights("signed_out", SESSION_ENDED, CLOSE_SIGNED_OUT)

    async def chat_recheck(self, event: dict) -> None:
        await self.recheck_access()

    # A socket's own messages come back to it in their ack, not again as a broadcast:
    # one frame less per message on the sender's side (the bench/ p99 moved from ~1.0-1.16x
    # to ~0.75x the tutorial's). Other sockets of the same user still get the broadcast.
    sender_role: str = ""
    OWN_REMEMBERED = 500

    def expect_own(self, conversation_id: int, client_id: str) -> None:
        own = self.__dict__.setdefault("own_pending", {})
        own[(conversation_id, client_id)] = None
        if len(own) > self.OWN_REMEMBERED:  # a broadcast that never came (Redis away)
            del own[next(iter(own))]

    def is_own(self, message: dict[str, Any]) -> bool:
        own = self.__dict__.get("own_pending")
        if not own or message.get("sender_role") != self.sender_role:
            return False
        key = (message.get("conversation"), message.get("client_id"))
        if key not in own:
            return False
        del own[key]
        return True

    async def chat_message(self, event: dict) -> None:
        if not self.is_own(event["message"]):
            await self.send_json({"type": "message", "message": event["message"]})

    async def chat_messages(self, event: dict) -> None:
        for message in event["messages"]:
            if not self.is_own(message):
                await self.send_json({"type": "message", "message": message})

    async def chat_delivery(self, event: dict) -> None:
        await self.send_json({**event, "type": "delivery"})

    async def typing(self, frame: dict, *, conversation_id: int, role: str) -> None:
        await broadcast_ephemeral(
            conversation_group(conversation_id),
            {
                "type": "chat.typing",
                "conversation": conversation_id,
                "role": role,
                "name": self.user.get_short_name(),
                "typing": bool(frame.get("typing")),
            },
        )


def history(conversation, after_seq: int, budget: int = HISTORY_BYTES) -> dict[str, Any]:
    """The newest messages after `after_seq` that fit `budget` bytes of JSON (at least
    one), and, if older ones were left out, the sequence number they start from."""
    newest = selectors.messages_latest_after(
        conversation=conversation, after_seq=after_seq, limit=HISTORY_MESSAGES + 1
    )
    payloads = [services.message_payload(m) for m in newest]
    kept: list[dict[str, Any]] = []
    size = 0
    for payload in reversed(payloads):
        size += len(json.dumps(payload))
        if kept and (size > budget or len(kept) == HISTORY_MESSAGES):
            break
        kept.append(payload)
    kept.reverse()
    # Set only when older messages were left out: where what was sent begins.
    from_seq = kept[0]["seq"] if len(kept) < len(payloads) else None
    return {"messages": kept, "from_seq": from_seq}


def _ticket_link(ticket_id: int) -> dict[str, Any]:
    return {"id": ticket_id, "url": reverse("admin:tickets_ticket_change", args=[ticket_id])}


# Ids and sequence numbers are 64-bit columns: anything larger is a malformed frame, not
# a database error.
ID_MAX = 2**63 - 1


def _seq(frame: dict, key: str = "after_seq") -> int:
    value = frame.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= ID_MAX:
        raise ValueError(key)
    return value


def _conversation_id(frame: dict) -> int:
    value = frame.get("conversation")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= ID_MAX:
        raise ValueError("conversation")
    return value


class CustomerChatConsumer(ChatSocket):
    """/ws/chat/ : an entitled customer's own chat."""

    sender_role = SenderRole.CUSTOMER

    conversation_id: int | None = None

    def handlers(self) -> dict[str, Handler]:
        return {
            "resume": self.resume,
            "start": self.start,
            "message": self.message,
            "typing": self.customer_typing,
            "delivered": self.delivered,
            "end": self.end,
            "ping": self.ping,
        }

    def allowed(self, user: User, session: dict[str, Any]) -> bool:
        if not is_customer(user) or _is_mobile_app(self.scope):
            return False
        return entitlement_for(user=user).allows(PremiumChannel.CHAT)

    async def connect(self) -> None:
        user = self.user
        if not user.is_authenticated:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        conversation = await database_sync_to_async(selectors.conversation_open_for)(customer=user)
        groups = [user_group(user.pk), account_group(user.account_id), QUEUE_GROUP]
        if conversation:
            self.conversation_id = conversation.pk
            groups.append(conversation_group(conversation.pk))
        await self.open(groups)

    @database_sync_to_async
    def _snapshot(self, after_seq: int, held: int | None = None) -> dict[str, Any]:
        conversation = selectors.conversation_open_for(customer=self.user)
        if conversation is None and self.conversation_id:
            # Just ended: still show its history and the end.
            conversation = selectors.conversation_for_participant(
                conversation_id=self.conversation_id, user=self.user
            )
        if conversation is not None and held is not None and held != conversation.pk:
            after_seq = 0
        frame: dict[str, Any] = {"type": "history", "conversation": None, "messages": []}
        if conversation:
            frame["conversation"] = services.conversation_payload(conversation)
            frame.update(history(conversation, after_seq))
            frame["queue"] = self._queue(conversation)
        else:
            frame["availability"] = self._availability()
        return frame

    def _availability(self, position: int | None = None) -> dict[str, Any]:
        a = selectors.availability(position=position)
        return {
            "specialists_online": a.specialists_online,
            "expected_wait_seconds": a.expected_wait_seconds,
            "offer_email": a.offer_email,
        }

    def _queue(self, conversation) -> dict[str, Any] | None:
        position = selectors.queue_position(conversation=conversation)
        if position is None:
            return None
        return {"position": position, **self._availability(position)}

    async def ping(self, frame: dict) -> None:
        # The pong says how far the chat goes, so a client that missed a broadcast (a
        # Redis restart, a dropped event) asks for the rest: every stored message reaches
        # it within one heartbeat, live or not.
        await self.refresh_groups()
        followed = [self.conversation_id] if self.conversation_id else []
        await self.send_json({"type": "pong", "seqs": await self.last_seqs(followed)})

    async def resume(self, frame: dict) -> None:
        # "conversation": the chat the client's after_seq counts in. A client that was
        # away while its chat ended and another began gets the new one from the start.
        held = frame.get("conversation")
        if held is not None and (not isinstance(held, int) or isinstance(held, bool)):
            raise ValueError("conversation")
        snapshot = await self._snapshot(_seq(frame), held)
        conversation = snapshot["conversation"]
        if conversation and conversation["id"] != self.conversation_id:
            await self.follow(conversation["id"])
        await self.send_json(snapshot)

    async def follow(self, conversation_id: int) -> None:
        if self.conversation_id and self.conversation_id != conversation_id:
            await self.leave(conversation_group(self.conversation_id))
        self.conversation_id = conversation_id
        await self.join(conversation_group(conversation_id))

    async def start(self, frame: dict) -> None:
        await self.drain_messages()
        conversation, message = await call_service(
            services.conversation_start,
            customer=self.user,
            topic=frame.get("topic"),
            body=frame.get("body"),
            client_id=frame.get("client_id", ""),
        )
        await self.follow(conversation.pk)
        await self.send_json({"type": "ack", "client_id": message.client_id, "seq": message.seq})
        await self.send_json(await self._snapshot(0))

    async def message(self, frame: dict) -> None:
        if not self.conversation_id:
            await self.send_error("no_chat", NO_OPEN_CHAT, client_id=frame.get("client_id"))
            return
        await self.queue_message(self.conversation_id, frame)

    async def customer_typing(self, frame: dict) -> None:
        if self.conversation_id:
            await self.typing(frame, conversation_id=self.conversation_id, role="customer")

    async def delivered(self, frame: dict) -> None:
        if self.conversation_id:
            await call_service(
                services.delivery_mark,
                conversation_id=self.conversation_id,
                user=self.user,
                seq=_seq(frame, "seq"),
            )

    async def end(self, frame: dict) -> None:
        await self.drain_messages()
        if not self.conversation_id:
            await self.send_error("no_chat", NO_OPEN_CHAT)
            return
        await call_service(
            services.conversation_end, conversation_id=self.conversation_id, actor=self.user
        )

    # Group events.
    async def chat_typing(self, event: dict) -> None:
        if event["role"] != "customer":
            await self.send_json(
                {"type": "typing", "name": event["name"], "typing": event["typing"]}
            )

    async def chat_joined(self, event: dict) -> None:
        await self.send_json({"type": "joined", "conversation": event["conversation"]})

    async def chat_ticket(self, event: dict) -> None:
        pass  # the customer hears of the ticket by email, from the ticket service

    async def chat_ended(self, event: dict) -> None:
        await self.send_json({"type": "ended", "by": event["by"]})
        if self.conversation_id == event["conversation"]:
            await self.leave(conversation_group(self.conversation_id))
            self.conversation_id = None

    async def chat_subscribe(self, event: dict) -> None:
        # The customer started a chat in another tab: follow it here too.
        if self.conversation_id == event["conversation"]:
            return
        await self.follow(event["conversation"])
        await self.send_json(await self._snapshot(0))

    @database_sync_to_async
    def _queue_frame(self) -> dict[str, Any] | None:
        conversation = selectors.conversation_open_for(customer=self.user)
        if conversation is None:
            return {"type": "availability", **self._availability()}
        if conversation.status != ConversationStatus.WAITING:
            return None
        return {"type": "queue", **(self._queue(conversation) or {})}

    async def chat_queue_changed(self, event: dict) -> None:
        frame = await self._queue_frame()
        if frame:
            await self.send_json(frame)


class ConsoleConsumer(ChatSocket):
    """/ws/chat/console/ : the specialists' live console."""

    sender_role = SenderRole.SPECIALIST

    held: set[int]
    presence: PresenceStatus = PresenceStatus.ONLINE

    def handlers(self) -> dict[str, Handler]:
        return {
            "history": self.history,
            "accept": self.accept_chat,
            "message": self.message,
            "typing": self.specialist_typing,
            "delivered": self.delivered,
            "end": self.end,
            "presence": self.set_presence,
            "ticket": self.ticket,
            "ping": self.heartbeat,
        }

    def allowed(self, user: User, session: dict[str, Any]) -> bool:
        return is_agent(user) and session_second_factor_ok(user=user, session=session)

    async def connect(self) -> None:
        self.held = set()
        if not self.user.is_authenticated:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        held = await database_sync_to_async(selectors.conversations_held_by)(specialist=self.user)
        self.held = {c.pk for c in held}
        groups = [CONSOLE_GROUP, user_group(self.user.pk)]
        groups += [conversation_group(pk) for pk in self.held]
        if await self.open(groups):
            await call_service(
                services.presence_set, specialist=self.user, status=PresenceStatus.ONLINE
            )
            await self.send_json(await self._state())

    async def disconnect(self, code: int) -> None:
        if self.user.is_authenticated and getattr(self, "groups_joined", None):
            await call_service(
                services.presence_set, specialist=self.user, status=PresenceStatus.OFFLINE
            )
        await super().disconnect(code)

    @database_sync_to_async
    def _state(self) -> dict[str, Any]:
        held = selectors.conversations_held_by(specialist=self.user)
        return {
            "type": "state",
            "me": {"id": self.user.pk, "name": self.user.get_short_name()},
            "queue": self._queue(),
            "held": [
                self._conversation(c, budget=HISTORY_BYTES // max(1, len(held))) for c in held
            ],
            "presence": self.presence,
        }

    def _queue(self) -> list[dict[str, Any]]:
        return [
            {
                "id": c.pk,
                "topic": c.topic,
                "customer_name": c.customer.get_full_name(),
                "account_name": c.account.name,
                "created_at": c.created_at.isoformat(),
            }
            for c in selectors.waiting_conversations()
        ]

    def _conversation(
        self, conversation, after_seq: int = 0, budget: int = HISTORY_BYTES
    ) -> dict[str, Any]:
        customer = conversation.customer
        return {
            **services.conversation_payload(conversation),
            "customer": {
                "name": customer.get_full_name(),
                "email": customer.email,
                "role": customer.get_role_display(),
                "account": conversation.account.name,
                "open_tickets": selectors.customer_open_tickets(customer=customer),
            },
            "ticket": _ticket_link(conversation.ticket_id) if conversation.ticket_id else None,
            **history(conversation, after_seq, budget),
        }

    @database_sync_to_async
    def _conversation_frame(self, conversation_id: int, after_seq: int) -> dict[str, Any]:
        conversation = selectors.conversation_for_participant(
            conversation_id=conversation_id, user=self.user
        )
        if conversation is None:
            raise PermissionDenied(services.NOT_A_PARTICIPANT)
        return {"type": "conversation", "conversation": self._conversation(conversation, after_seq)}

    async def history(self, frame: dict) -> None:
        # A catch-up (the console asks after a pong showed a gap): the messages only, as
        # "catch_up", so the console merges them without switching to that chat.
        payload = await self._conversation_frame(_conversation_id(frame), _seq(frame))
        await self.send_json({**payload, "type": "catch_up"})

    async def accept_chat(self, frame: dict) -> None:
        conversation = await call_service(
            services.conversation_accept,
            conversation_id=_conversation_id(frame),
            specialist=self.user,
        )
        await self._hold(conversation.pk)

    async def _hold(self, conversation_id: int) -> None:
        if conversation_id not in self.held:
            self.held.add(conversation_id)
            await self.join(conversation_group(conversation_id))
        await self.send_json(await self._conversation_frame(conversation_id, 0))

    async def message(self, frame: dict) -> None:
        await self.queue_message(_conversation_id(frame), frame)

    async def specialist_typing(self, frame: dict) -> None:
        conversation_id = _conversation_id(frame)
        if conversation_id in self.held:
            await self.typing(frame, conversation_id=conversation_id, role="specialist")

    async def delivered(self, frame: dict) -> None:
        await call_service(
            services.delivery_mark,
            conversation_id=_conversation_id(frame),
            user=self.user,
            seq=_seq(frame, "seq"),
        )

    async def end(self, frame: dict) -> None:
        await self.drain_messages()
        await call_service(
            services.conversation_end, conversation_id=_conversation_id(frame), actor=self.user
        )

    async def ticket(self, frame: dict) -> None:
        await self.drain_messages()
        await call_service(
            services.conversation_ticket_create,
            conversation_id=_conversation_id(frame),
            specialist=self.user,
        )

    async def chat_ticket(self, event: dict) -> None:
        await self.send_json(
            {
                "type": "ticket",
                "conversation": event["conversation"],
                "ticket": _ticket_link(event["ticket"]),
            }
        )

    async def set_presence(self, frame: dict) -> None:
        status = frame.get("status")
        if status not in (PresenceStatus.ONLINE, PresenceStatus.AWAY):
            raise ValueError("status")
        self.presence = PresenceStatus(status)
        await self.heartbeat(frame)

    async def heartbeat(self, frame: dict) -> None:
        await call_service(services.presence_set, specialist=self.user, status=self.presence)
        await self.refresh_groups()
        seqs = await self.last_seqs(sorted(self.held))
        await self.send_json({"type": "pong", "presence": self.presence, "seqs": seqs})

    # Group events.
    async def chat_typing(self, event: dict) -> None:
        if event["role"] != "specialist":
            await self.send_json({**event, "type": "typing"})

    async def chat_joined(self, event: dict) -> None:
        pass  # the console learns of its own accepts from _hold

    async def chat_ended(self, event: dict) -> None:
        await self.send_json(
            {"type": "ended", "conversation": event["conversation"], "by": event["by"]}
        )
        if event["conversation"] in self.held:
            self.held.discard(event["conversation"])
            await self.leave(conversation_group(event["conversation"]))

    async def chat_subscribe(self, event: dict) -> None:
        await self._hold(event["conversation"])

    async def chat_queue_changed(self, event: dict) -> None:
        queue = await database_sync_to_async(self._queue)()
        await self.send_json({"type": "queue", "queue": queue})
