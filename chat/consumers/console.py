"""/ws/chat/console/ : the specialists' live console (the queue, the chats they hold,
presence)."""

from typing import Any

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied

from accounts.models import User
from chat import selectors, services
from chat.consumers.base import ChatSocket, Handler
from chat.consumers.frames import (
    CLOSE_FORBIDDEN,
    conversation_id_of,
    page_bounds,
    seq_of,
    ticket_link,
)
from chat.models import Conversation, PresenceStatus, SenderRole
from chat.payloads import conversation_payload
from chat.permissions import can_use_console
from helpdesk.core.realtime import CONSOLE_GROUP, call_service, conversation_group, user_group


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
            "seen": self.seen,
            "end": self.end,
            "presence": self.set_presence,
            "ticket": self.ticket,
            "ping": self.heartbeat,
        }

    def allowed(self, user: User, session: dict[str, Any]) -> bool:
        return can_use_console(user, session=session)

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
            presence = await call_service(
                services.presence_set, specialist=self.user, status=PresenceStatus.ONLINE
            )
            self.presence = PresenceStatus(presence.status)
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
                self._conversation(c, budget=selectors.HISTORY_BYTES // max(1, len(held)))
                for c in held
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
        self, conversation: Conversation, budget: int = selectors.HISTORY_BYTES
    ) -> dict[str, Any]:
        """A chat as the console opens it: the customer's card and the newest page."""
        customer = conversation.customer
        return {
            **conversation_payload(conversation),
            "customer": {
                "name": customer.get_full_name(),
                "email": customer.email,
                "role": customer.get_role_display(),
                "account": conversation.account.name,
                "open_tickets": selectors.customer_open_tickets(customer=customer),
            },
            "ticket": ticket_link(conversation.ticket_id) if conversation.ticket_id else None,
            **selectors.message_history(conversation=conversation, budget=budget),
        }

    @database_sync_to_async
    def _conversation_frame(self, conversation_id: int) -> dict[str, Any]:
        return {
            "type": "conversation",
            "conversation": self._conversation(self._own(conversation_id)),
        }

    def _own(self, conversation_id: int) -> Conversation:
        conversation = selectors.conversation_for_participant(
            conversation_id=conversation_id, user=self.user
        )
        if conversation is None:
            raise PermissionDenied(services.NOT_A_PARTICIPANT)
        return conversation

    @database_sync_to_async
    def _page(self, frame: dict) -> dict[str, Any]:
        bounds = page_bounds(frame)  # a malformed frame is refused as such, first
        conversation = self._own(conversation_id_of(frame))
        return selectors.history_page(conversation=conversation, **bounds)

    async def history(self, frame: dict) -> None:
        # A page of one chat, which the console merges without switching to it: the
        # next page after "after_seq" (a reconnect, a gap a pong showed, a chat that
        # ended meanwhile: its state says so), or the one before "before_seq".
        await self.send_json(await self._page(frame))

    async def accept_chat(self, frame: dict) -> None:
        conversation = await call_service(
            services.conversation_accept,
            conversation_id=conversation_id_of(frame),
            specialist=self.user,
        )
        await self._hold(conversation.pk)

    async def _hold(self, conversation_id: int) -> None:
        if conversation_id not in self.held:
            self.held.add(conversation_id)
            await self.join(conversation_group(conversation_id))
        await self.send_json(await self._conversation_frame(conversation_id))

    async def message(self, frame: dict) -> None:
        await self.queue_message(conversation_id_of(frame), frame)

    async def specialist_typing(self, frame: dict) -> None:
        conversation_id = conversation_id_of(frame)
        if conversation_id in self.held:
            await self.typing(frame, conversation_id=conversation_id, role="specialist")

    async def delivered(self, frame: dict) -> None:
        await call_service(
            services.delivery_mark,
            conversation_id=conversation_id_of(frame),
            user=self.user,
            seq=seq_of(frame, "seq"),
        )

    async def seen(self, frame: dict) -> None:
        await call_service(
            services.seen_mark,
            conversation_id=conversation_id_of(frame),
            user=self.user,
            seq=seq_of(frame, "seq"),
        )

    async def end(self, frame: dict) -> None:
        await self.drain_messages()
        await call_service(
            services.conversation_end, conversation_id=conversation_id_of(frame), actor=self.user
        )

    async def ticket(self, frame: dict) -> None:
        await self.drain_messages()
        await call_service(
            services.conversation_ticket_create,
            conversation_id=conversation_id_of(frame),
            specialist=self.user,
        )

    async def chat_ticket(self, event: dict) -> None:
        await self.send_json(
            {
                "type": "ticket",
                "conversation": event["conversation"],
                "ticket": ticket_link(event["ticket"]),
            }
        )

    async def set_presence(self, frame: dict) -> None:
        status = frame.get("status")
        if status not in (PresenceStatus.ONLINE, PresenceStatus.AWAY):
            raise ValueError("status")
        await call_service(services.presence_choose, specialist=self.user, status=status)
        await self.heartbeat(frame)

    async def heartbeat(self, frame: dict) -> None:
        # Online while available: the availability may have been set elsewhere.
        presence = await call_service(
            services.presence_set, specialist=self.user, status=PresenceStatus.ONLINE
        )
        self.presence = PresenceStatus(presence.status)  # Away may be set elsewhere
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
