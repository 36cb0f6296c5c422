"""/ws/chat/ : an entitled customer's own chat (one open chat at a time)."""

from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import User
from chat import selectors, services
from chat.consumers.base import ChatSocket, Handler
from chat.consumers.frames import (
    CLOSE_FORBIDDEN,
    NO_OPEN_CHAT,
    conversation_id_of,
    page_bounds,
    seq_of,
    user_agent,
)
from chat.models import Conversation, ConversationStatus, SenderRole
from chat.payloads import conversation_payload
from chat.permissions import can_use_customer_chat
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
            "history": self.history,
            "start": self.start,
            "message": self.message,
            "typing": self.customer_typing,
            "delivered": self.delivered,
            "seen": self.seen,
            "end": self.end,
            "ping": self.ping,
            "queue": self.queue,
        }

    def allowed(self, user: User, session: dict[str, Any]) -> bool:
        return can_use_customer_chat(user, user_agent=user_agent(self.scope))

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
        """The "history" frame: the open chat (else the one the client holds or this
        socket followed, if it ended meanwhile: its state says who ended it), and its
        messages. A client that holds messages (after_seq > 0) gets the oldest page after
        them, with "more" while more follow; one that holds none, the newest page."""
        conversation = selectors.conversation_open_for(customer=self.user)
        ended_id = held or self.conversation_id
        if conversation is None and ended_id:
            conversation = selectors.conversation_for_participant(
                conversation_id=ended_id, user=self.user
            )
        if conversation is not None and held is not None and held != conversation.pk:
            after_seq = 0
        frame: dict[str, Any] = {"type": "history", "conversation": None, "messages": []}
        if conversation:
            frame["conversation"] = conversation_payload(conversation)
            if after_seq:
                page = selectors.message_page(conversation=conversation, after_seq=after_seq)
                frame.update(page, from_seq=None)
            else:
                frame.update(selectors.message_history(conversation=conversation), more=False)
            frame["queue"] = self._queue(conversation)
        if conversation is None or conversation.status == ConversationStatus.ENDED:
            frame["availability"] = self._availability()
        return frame

    @database_sync_to_async
    def _page(self, frame: dict) -> dict[str, Any]:
        # The chat this socket follows, or the one named (its own, maybe just ended).
        conversation_id = (
            conversation_id_of(frame) if "conversation" in frame else self.conversation_id
        )
        bounds = page_bounds(frame)
        if conversation_id is None:
            raise PermissionDenied(NO_OPEN_CHAT)
        conversation = selectors.conversation_for_participant(
            conversation_id=conversation_id, user=self.user
        )
        if conversation is None:
            raise PermissionDenied(services.NOT_A_PARTICIPANT)
        return selectors.history_page(conversation=conversation, **bounds)

    def _availability(self, position: int | None = None, waited: int = 0) -> dict[str, Any]:
        a = selectors.availability(position=position, waited_seconds=waited)
        return {
            "specialists_online": a.specialists_online,
            "expected_wait_seconds": a.expected_wait_seconds,
            "offer_email": a.offer_email,
            "past_target": a.past_target,
            # The promise made before sending: unanswered by then, it goes to email.
            "to_email_minutes": settings.CHAT_UNANSWERED_TO_EMAIL_MINUTES,
            "to_email_in_seconds": max(0, settings.CHAT_UNANSWERED_TO_EMAIL_MINUTES * 60 - waited),
        }

    def _queue(self, conversation: Conversation) -> dict[str, Any] | None:
        position = selectors.queue_position(conversation=conversation)
        if position is None:
            return None
        waited = int((timezone.now() - conversation.created_at).total_seconds())
        return {"position": position, **self._availability(position, waited)}

    async def ping(self, frame: dict) -> None:
        # The pong says how far the chat goes, so a client that missed a broadcast (a
        # Redis restart, a dropped event) asks for the rest: every stored message reaches
        # it within one heartbeat, live or not.
        await self.refresh_groups()
        followed = [self.conversation_id] if self.conversation_id else []
        await self.send_json({"type": "pong", "seqs": await self.last_seqs(followed)})

    async def queue(self, frame: dict) -> None:
        # The waiting client asks now and then: the estimate moves as time passes even
        # when the queue does not.
        reply = await self._queue_frame()
        if reply:
            await self.send_json(reply)

    async def resume(self, frame: dict) -> None:
        # "conversation": the chat the client's after_seq counts in. A client that was
        # away while its chat ended and another began gets the new one from the start.
        held = frame.get("conversation")
        if held is not None and (not isinstance(held, int) or isinstance(held, bool)):
            raise ValueError("conversation")
        snapshot = await self._snapshot(seq_of(frame), held)
        conversation = snapshot["conversation"]
        if conversation and conversation["status"] == ConversationStatus.ENDED:
            if conversation["id"] == self.conversation_id:
                await self.leave(conversation_group(conversation["id"]))
                self.conversation_id = None
        elif conversation and conversation["id"] != self.conversation_id:
            await self.follow(conversation["id"])
        await self.send_json(snapshot)

    async def history(self, frame: dict) -> None:
        # The next page of a resume ("after_seq": the last one the client holds), or the
        # page before the first one it shows ("before_seq").
        await self.send_json(await self._page(frame))

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

    async def seen(self, frame: dict) -> None:
        if self.conversation_id:
            await call_service(
                services.seen_mark,
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
        frame = {"type": "ended", "by": event["by"]}
        if event["by"] == "email":  # nobody joined in time: the ticket it became
            frame.update(ticket=event.get("ticket"), ticket_url=event.get("ticket_url", ""))
        await self.send_json(frame)
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
