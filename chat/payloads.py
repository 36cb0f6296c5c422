"""What the chat sockets send of a message and a conversation: the JSON of frames and
group events, built in one place for the services (events) and the consumers (frames)."""

from typing import Any

from django.urls import reverse

from chat.models import Conversation, ConversationStatus, Message, MessageAttachment


def ended_by_role(conversation: Conversation) -> str | None:
    """Which side ended the chat ("customer", "specialist", or "email": nobody joined in
    time and it became an email ticket), None while it is open: in
    the live "ended" event and in every resume, so a side that missed the event learns
    it from its next resume."""
    if conversation.status != ConversationStatus.ENDED:
        return None
    if conversation.ended_by_id is None and conversation.specialist_id is None:
        return "email"  # nobody joined in time: it went to email (chat.services.unanswered)
    return "customer" if conversation.ended_by_id == conversation.customer_id else "specialist"


def attachment_payload(attachment: MessageAttachment) -> dict[str, Any]:
    url = reverse("chat_attachment", args=[attachment.pk])
    return {
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "url": url,
        "thumbnail_url": f"{url}?thumbnail=1" if attachment.thumbnail_path else "",
    }


def message_payload(message: Message) -> dict[str, Any]:
    payload = {
        "conversation": message.conversation_id,
        "seq": message.seq,
        "body": message.body,
        "sender_role": message.sender_role,
        "sender_name": message.sender.get_short_name(),
        "client_id": message.client_id,
        "created_at": message.created_at.isoformat(),
    }
    # Only what was loaded with the message (select_related, or set by the service that
    # stored it): a text message on the hot path costs no query for it.
    attachment = Message.attachment.related.get_cached_value(message, default=None)
    if isinstance(attachment, MessageAttachment):
        payload["attachment"] = attachment_payload(attachment)
    return payload


def conversation_payload(conversation: Conversation) -> dict[str, Any]:
    specialist = conversation.specialist
    return {
        "id": conversation.pk,
        "topic": conversation.topic,
        "status": conversation.status,
        "ended_by": ended_by_role(conversation),
        "customer_name": conversation.customer.get_full_name(),
        "account_name": conversation.account.name,
        "specialist_name": specialist.get_short_name() if specialist else "",
        "created_at": conversation.created_at.isoformat(),
        "last_seq": conversation.last_seq,
        "customer_delivered_seq": conversation.customer_delivered_seq,
        "specialist_delivered_seq": conversation.specialist_delivered_seq,
        "customer_seen_seq": conversation.customer_seen_seq,
        "specialist_seen_seq": conversation.specialist_seen_seq,
        "ticket_id": conversation.ticket_id,
        # The customer's page of that ticket (a chat that went to email links to it).
        "ticket_url": reverse("ticket_detail", args=[conversation.ticket_id])
        if conversation.ticket_id
        else "",
    }


def conversation_webhook_data(conversation: Conversation) -> dict[str, Any]:
    """What a webhook says about a chat: ids and state, no messages."""
    return {
        "id": conversation.pk,
        "topic": conversation.topic,
        "status": conversation.status,
        "account": conversation.account_id,
        "customer": conversation.customer_id,
        "specialist": conversation.specialist_id,
        "ended_by": ended_by_role(conversation),
        "created_at": conversation.created_at,
    }
