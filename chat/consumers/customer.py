"""/ws/chat/ : an entitled customer's own chat (one open chat at a time)."""

from typing import Any

from channels.db import database_sync_to_async

from accounts.models import PremiumChannel, User
from accounts.permissions import is_customer
from accounts.selectors import entitlement_for
from chat import selectors, services
from chat.consumers.base import ChatSocket, Handler
from chat.consumers.frames import CLOSE_FORBIDDEN, NO_OPEN_CHAT, is_mobile_app, seq_of
from chat.models import ConversationStatus, SenderRole
from chat.payloads import conversation_payload
from helpdesk.core.realtime import (
    QUEUE_GROUP,
    account_group,
    call_service,
    conversation_group,
    user_group,
)


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
        if not is_customer(user) or is_mobile_app(self.scope):
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
            frame["conversation"] = conversation_payload(conversation)
            frame.update(selectors.message_history(conversation=conversation, after_seq=after_seq))
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
        snapshot = await self._snapshot(seq_of(frame), held)
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
                seq=seq_of(frame, "seq"),
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
