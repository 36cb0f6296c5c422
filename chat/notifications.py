"""Chat emails: the customer's transcript and the leads' wait escalations. Recorded in
the outbox by the services and the sweep in the transaction of their change; each
re-reads the rows, so delivering one again sends the same email."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import LEADS_GROUP
from accounts.selectors import staff_emails
from chat.models import Conversation, ConversationStatus
from chat.selectors import messages_in_order
from helpdesk.core.links import portal_url
from helpdesk.core.outbox.services import outbox_handler
from helpdesk.core.timefmt import zone_of
from helpdesk.csat.models import RatedKind
from helpdesk.csat.selectors import survey_about
from helpdesk.csat.services import survey_link

CHAT_TRANSCRIPT = "chat.transcript"
CHAT_WAIT_ESCALATION = "chat.wait_escalation"


@outbox_handler(CHAT_TRANSCRIPT)
def chat_transcript_send(*, conversation_id: int) -> bool:
    """Email the transcript of an ended chat to its customer, once: a chat whose
    transcript went out already (by a task queued before the outbox) is skipped."""
    conversation = (
        Conversation.objects.select_related("customer", "specialist")
        .filter(
            pk=conversation_id,
            status=ConversationStatus.ENDED,
            transcript_emailed_at__isnull=True,
        )
        .first()
    )
    if conversation is None:
        return False
    messages = messages_in_order(conversation=conversation)
    survey = survey_about(kind=RatedKind.CHAT, item_id=conversation.pk)
    body = render_to_string(
        "chat/email/transcript.txt",
        {
            "conversation": conversation,
            "messages": messages,
            "tz": zone_of(conversation.customer.time_zone).key,
            "rate_url": survey_link(survey) if survey else "",
        },
    )
    send_mail(
        f"Your Premium chat transcript: {conversation.topic}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [conversation.customer.email],
    )
    Conversation.objects.filter(pk=conversation_id).update(transcript_emailed_at=timezone.now())
    return True


@outbox_handler(CHAT_WAIT_ESCALATION)
def chat_wait_escalation_notify(*, items: list[list[int]]) -> None:
    """Chats still waiting for a specialist past their limit: one email to the leads."""
    levels = {int(pk): int(level) for pk, level in items}
    leads = staff_emails(group=LEADS_GROUP)
    if not leads:
        return
    console = portal_url(reverse("chat_console"))
    lines = [
        f"Chat #{c.pk} {c.topic} ({c.account.name}): waiting since {c.created_at:%H:%M} UTC, "
        f"level {levels[c.pk]}\n  {console}"
        for c in Conversation.objects.filter(pk__in=levels).select_related("account")
    ]
    top = max(levels.values())
    send_mail(
        f"Chat wait escalation (level {top}): {len(lines)} chat(s) unanswered",
        "These chats are waiting for a specialist past their limit:\n\n" + "\n".join(lines),
        None,
        leads,
    )


CHAT_UNANSWERED = "chat.unanswered"


@outbox_handler(CHAT_UNANSWERED)
def chat_unanswered_send(*, conversation_id: int) -> bool:
    """Tell the customer that nobody joined their chat in time and what happens now: the
    ticket it became (answered by email), with the conversation so far. Once."""
    conversation = (
        Conversation.objects.select_related("customer", "ticket")
        .filter(
            pk=conversation_id,
            status=ConversationStatus.ENDED,
            transcript_emailed_at__isnull=True,
        )
        .first()
    )
    if conversation is None:
        return False
    ticket = conversation.ticket
    body = render_to_string(
        "chat/email/unanswered.txt",
        {
            "conversation": conversation,
            "messages": messages_in_order(conversation=conversation),
            "ticket": ticket,
            "ticket_url": portal_url(reverse("ticket_detail", args=[ticket.pk])) if ticket else "",
            "minutes": settings.CHAT_UNANSWERED_TO_EMAIL_MINUTES,
            "tz": zone_of(conversation.customer.time_zone).key,
        },
    )
    subject = (
        f"Your Premium chat is now ticket #{ticket.pk}: {conversation.topic}"
        if ticket
        else f"Your Premium chat ended: {conversation.topic}"
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [conversation.customer.email])
    Conversation.objects.filter(pk=conversation_id).update(transcript_emailed_at=timezone.now())
    return True
