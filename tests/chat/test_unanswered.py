"""Honest waits (issue 17): a chat nobody joins within CHAT_UNANSWERED_TO_EMAIL_MINUTES
becomes a premium email ticket with the conversation so far; the customer is told live
and by email; the wait estimate learns from recent waits and the queue."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import PremiumSupportPurchase
from chat import selectors, services
from chat.models import Conversation, ConversationStatus, PresenceStatus
from chat.tasks import chat_unanswered_to_email
from helpdesk.tickets.models import Ticket
from tests.factories import StaffFactory, SuperAdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    events = []
    monkeypatch.setattr("helpdesk.core.realtime.broadcast_now", lambda g, e: events.append((g, e)))
    return events


def waiting_chat(minutes_ago: float, topic: str = "Workflow emails stopped") -> Conversation:
    conversation, _ = services.conversation_start(
        customer=SuperAdminFactory(), topic=topic, body="Nothing has gone out since 9:00."
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return conversation


@override_settings(CHAT_UNANSWERED_TO_EMAIL_MINUTES=5)
def test_a_chat_unanswered_past_the_limit_becomes_one_ticket_even_when_run_twice(
    sent, mailoutbox, django_capture_on_commit_callbacks
):
    due = waiting_chat(6)
    fresh = waiting_chat(2)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert chat_unanswered_to_email() == {"converted": 1}
    with django_capture_on_commit_callbacks(execute=True):
        assert chat_unanswered_to_email() == {}  # a second run (or worker) changes nothing
    due.refresh_from_db()
    fresh.refresh_from_db()
    assert fresh.status == ConversationStatus.WAITING and fresh.ticket_id is None
    assert due.status == ConversationStatus.ENDED and due.ended_by_id is None
    ticket = Ticket.objects.get()
    assert due.ticket_id == ticket.pk
    assert (ticket.subject, ticket.requester_id, ticket.channel) == (
        "Workflow emails stopped",
        due.customer_id,
        "email",
    )
    assert "Nothing has gone out since 9:00." in ticket.description
    # Live: the customer's chat socket hears it ended by going to email, with the ticket.
    ended = [e for g, e in sent if e["type"] == "chat.ended"]
    assert ended == [
        {
            "type": "chat.ended",
            "conversation": due.pk,
            "by": "email",
            "ticket": ticket.pk,
            "ticket_url": f"/tickets/{ticket.pk}/",
        }
    ]
    # By email, once, with the conversation so far (besides the ticket's own confirmation).
    told = [m for m in mailoutbox if m.subject.startswith("Your Premium chat is now ticket")]
    assert len(told) == 1 and told[0].to == [due.customer.email]
    assert f"#{ticket.pk}" in told[0].subject and "Nothing has gone out" in told[0].body
    # On resume the chat says so too.
    from chat.payloads import conversation_payload

    payload = conversation_payload(due)
    assert (payload["ended_by"], payload["ticket_url"]) == ("email", f"/tickets/{ticket.pk}/")


@override_settings(CHAT_UNANSWERED_TO_EMAIL_MINUTES=5)
def test_a_chat_accepted_meanwhile_is_not_converted(sent):
    conversation = waiting_chat(10)
    services.conversation_accept(conversation_id=conversation.pk, specialist=StaffFactory())
    assert services.conversation_unanswered_to_ticket(conversation_id=conversation.pk) is None
    assert chat_unanswered_to_email() == {}
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ACTIVE and not Ticket.objects.exists()


@override_settings(CHAT_UNANSWERED_TO_EMAIL_MINUTES=5)
def test_a_chat_ended_by_the_customer_or_not_yet_due_is_left_alone(sent):
    ended = waiting_chat(10)
    services.conversation_end(conversation_id=ended.pk, actor=ended.customer)
    early = waiting_chat(4)
    assert services.conversation_unanswered_to_ticket(conversation_id=ended.pk) is None
    assert services.conversation_unanswered_to_ticket(conversation_id=early.pk) is None
    assert not Ticket.objects.exists()


@override_settings(CHAT_UNANSWERED_TO_EMAIL_MINUTES=5)
def test_entitlement_lost_ends_the_chat_without_a_ticket_and_tells_the_customer(
    sent, mailoutbox, django_capture_on_commit_callbacks
):
    conversation = waiting_chat(6)
    PremiumSupportPurchase.objects.filter(account=conversation.account).update(
        ends_at=timezone.now() - timedelta(days=1)
    )
    from django.core.cache import cache

    cache.clear()  # the entitlement is cached for a minute
    with django_capture_on_commit_callbacks(execute=True):
        assert chat_unanswered_to_email() == {"not_entitled": 1}
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ENDED and conversation.ticket_id is None
    assert not Ticket.objects.exists()
    [ended] = [e for g, e in sent if e["type"] == "chat.ended"]
    assert (ended["by"], ended["ticket"]) == ("email", None)
    [mail] = mailoutbox
    assert mail.subject == "Your Premium chat ended: Workflow emails stopped"
    assert "no ticket was opened" in mail.body
    assert chat_unanswered_to_email() == {}


@override_settings(
    CHAT_PRESENCE_TIMEOUT_SECONDS=60, CHAT_LONG_WAIT_SECONDS=300, CHAT_WAIT_LIMIT_SECONDS=120
)
def test_the_expected_wait_comes_from_recent_waits_the_queue_and_the_time_waited(sent):
    specialist = StaffFactory()
    services.presence_set(specialist=specialist, status=PresenceStatus.ONLINE)
    now = timezone.now()
    # Recent waits of 2, 3 and 4 minutes; one of 60 minutes last week does not count.
    for minutes, ago in [(2, 1), (3, 2), (4, 3), (60, 24 * 7)]:
        c = waiting_chat(0)
        services.conversation_accept(conversation_id=c.pk, specialist=StaffFactory())
        accepted = now - timedelta(hours=ago)
        Conversation.objects.filter(pk=c.pk).update(
            created_at=accepted - timedelta(minutes=minutes), accepted_at=accepted
        )
    Conversation.objects.update(status=ConversationStatus.ENDED)
    assert selectors.availability(position=1).expected_wait_seconds == 180
    # Second in line with one specialist: two typical waits; with two online, one.
    assert selectors.availability(position=2).expected_wait_seconds == 360
    assert selectors.availability(position=2).offer_email is True  # over 5 minutes
    services.presence_set(specialist=StaffFactory(), status=PresenceStatus.ONLINE)
    assert selectors.availability(position=2).expected_wait_seconds == 180
    # Having waited 100 s of the 180 expected: 80 s left, no offer yet.
    waited = selectors.availability(position=1, waited_seconds=100)
    assert (waited.expected_wait_seconds, waited.offer_email) == (80, False)
    # Past the estimate: no number; past the 2-minute target, email is offered again.
    late = selectors.availability(position=1, waited_seconds=200)
    assert (late.expected_wait_seconds, late.past_target, late.offer_email) == (None, True, True)


def test_chats_that_went_to_email_count_as_long_waits(sent):
    services.presence_set(specialist=StaffFactory(), status=PresenceStatus.ONLINE)
    for _ in range(3):
        c = waiting_chat(0)
        Conversation.objects.filter(pk=c.pk).update(
            status=ConversationStatus.ENDED,
            created_at=timezone.now() - timedelta(minutes=15),
            ended_at=timezone.now() - timedelta(minutes=10),
        )
    assert selectors.availability(position=1).expected_wait_seconds == 300
