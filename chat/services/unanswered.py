"""A chat nobody joined in time becomes a premium email ticket (issue 17, "honest waits").

The customer was told when sending it: if no specialist joins within
CHAT_UNANSWERED_TO_EMAIL_MINUTES, it is answered by email. The beat task
(chat.tasks.chat_unanswered_to_email) selects the chats still waiting past that with one
indexed query and converts each here; a conditional update claims the chat (still
waiting, no ticket), so a second worker, a retry, or a specialist accepting it meanwhile
leaves it alone."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chat import notifications, selectors
from chat.models import Conversation, ConversationStatus
from chat.payloads import conversation_webhook_data
from chat.services.conversations import _queue_changed, _transcript_text
from helpdesk.core.outbox.services import outbox_enqueue
from helpdesk.core.realtime import broadcast_on_commit, conversation_group
from helpdesk.core.webhooks.events import WebhookEvent
from helpdesk.core.webhooks.services import webhook_emit
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.choices import TicketChannel
from sla.inbox import ANSWERED, CHAT, inbox_changed

logger = logging.getLogger(__name__)

# Converted: a ticket was opened. Not entitled: the chat ended with no ticket (the
# account lost Premium Support meanwhile); the customer is told either way.
CONVERTED = "converted"
NOT_ENTITLED = "not_entitled"


def unanswered_cutoff() -> datetime:
    return timezone.now() - timedelta(minutes=settings.CHAT_UNANSWERED_TO_EMAIL_MINUTES)


def conversation_unanswered_to_ticket(*, conversation_id: int) -> str | None:
    """Turn this chat, if still waiting past the limit, into an email ticket with the
    conversation so far; end the chat; tell the customer live and by email. Returns what
    happened, or None when there was nothing to do (accepted, ended, converted already,
    or not yet due)."""
    with transaction.atomic():
        claimed = Conversation.objects.filter(
            pk=conversation_id,
            status=ConversationStatus.WAITING,
            ticket__isnull=True,
            created_at__lte=unanswered_cutoff(),
        ).update(status=ConversationStatus.ENDED, ended_at=timezone.now(), sla_next_check_at=None)
        if not claimed:
            return None
        conversation = Conversation.objects.select_related("customer", "account").get(
            pk=conversation_id
        )
        inbox_changed(kind=CHAT, item_id=conversation_id, change=ANSWERED, title=conversation.topic)
        outcome = CONVERTED
        ticket = None
        try:
            ticket = ticket_services.ticket_create(
                requester=conversation.customer,
                channel=TicketChannel.EMAIL,
                subject=conversation.topic,
                description=_transcript_text(conversation),
            )
        except PermissionDenied:
            outcome = NOT_ENTITLED
        except ValidationError:
            # Refused for now (the customer's ticket allowance this hour): roll back the
            # claim; the next run tries again.
            transaction.set_rollback(True)
            logger.warning("chat %s: ticket refused, will retry", conversation_id)
            return None
        if ticket is not None:
            conversation.ticket = ticket
            conversation.save(update_fields=["ticket"])
        ticket_url = reverse("ticket_detail", args=[ticket.pk]) if ticket else ""
        broadcast_on_commit(
            conversation_group(conversation.pk),
            {
                "type": "chat.ended",
                "conversation": conversation.pk,
                "by": "email",
                "ticket": ticket.pk if ticket else None,
                "ticket_url": ticket_url,
            },
        )
        _queue_changed()
        webhook_emit(
            event=WebhookEvent.CHAT_ENDED,
            key=f"chat.ended:{conversation.pk}",
            data={"chat": conversation_webhook_data(conversation)},
        )
        outbox_enqueue(
            kind=notifications.CHAT_UNANSWERED,
            key=f"{notifications.CHAT_UNANSWERED}:{conversation.pk}",
            payload={"conversation_id": conversation.pk},
        )
    return outcome


def conversations_unanswered_convert() -> dict[str, int]:
    """Convert every chat waiting past the limit; counts by outcome (the beat task's)."""
    counts: dict[str, int] = {}
    for pk in selectors.conversations_unanswered_due(before=unanswered_cutoff()):
        outcome = conversation_unanswered_to_ticket(conversation_id=pk)
        if outcome:
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts
