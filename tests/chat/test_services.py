"""Chat services against the database: numbering, deadlines, rules, and the events
each write announces after commit."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from chat import selectors, services
from chat.models import Conversation, ConversationStatus, Message, PresenceStatus
from tests.factories import StaffFactory, SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Events the services hand to the channel layer (after commit)."""
    events = []
    monkeypatch.setattr("helpdesk.core.realtime.broadcast_now", lambda g, e: events.append((g, e)))
    return events


@override_settings(CHAT_WAIT_LIMIT_SECONDS=90)
def test_start_stores_the_first_message_sets_the_wait_deadline_and_announces_after_commit(
    django_capture_on_commit_callbacks, sent
):
    customer = SuperAdminFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        conversation, message = services.conversation_start(
            customer=customer, topic="  Emails   stuck ", body="Help", client_id="c1"
        )
    assert sent == []  # nothing is announced before the commit
    for callback in callbacks:
        callback()
    assert conversation.topic == "Emails stuck"
    assert conversation.status == ConversationStatus.WAITING
    assert conversation.due_at == conversation.created_at + timedelta(seconds=90)
    assert (message.seq, message.body) == (1, "Help")
    kinds = sorted(((group.split(".") + [group])[1], event["type"]) for group, event in sent)
    assert kinds == [
        ("console", "chat.queue_changed"),
        ("conversation", "chat.message"),
        ("queue", "chat.queue_changed"),
        ("staff", "inbox.changed"),  # the staff inbox (sla.inbox)
        ("user", "chat.subscribe"),
    ]


def test_numbers_are_per_conversation_and_resends_are_stored_once(sent):
    specialist = StaffFactory()
    a, _ = services.conversation_start(customer=SuperAdminFactory(), topic="A", body="a1")
    b, _ = services.conversation_start(customer=SuperAdminFactory(), topic="B", body="b1")
    services.conversation_accept(conversation_id=a.pk, specialist=specialist)
    [m2] = services.message_store(conversation_id=a.pk, sender=specialist, items=[("a2", "x")])
    [again] = services.message_store(conversation_id=a.pk, sender=specialist, items=[("a2", "x")])
    batch = services.message_store(
        conversation_id=b.pk, sender=b.customer, items=[("b2", "p"), ("b3", "q")]
    )
    retried = services.message_store(
        conversation_id=b.pk, sender=b.customer, items=[("b3", "q"), ("b4", "r")]
    )
    assert m2.seq == again.seq == 2 and again.pk == m2.pk
    assert [m.seq for m in batch] == [2, 3]
    assert [m.seq for m in retried] == [3, 4]
    assert list(b.messages.values_list("body", flat=True)) == ["b1", "b2", "b3", "b4"]
    a.refresh_from_db()
    assert a.answered_at is not None and a.accepted_at <= a.answered_at


def test_one_call_stores_a_batch_once_each_and_announces_it_as_one_event(
    sent, django_capture_on_commit_callbacks
):
    """message_store is the one message path: a batch is one event; a client id twice in
    one batch is one message; a resend after the chat ended still returns the stored one."""
    conversation, _ = services.conversation_start(customer=SuperAdminFactory(), topic="t", body="1")
    customer = conversation.customer
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.message_store(
            conversation_id=conversation.pk,
            sender=customer,
            items=[("two", "k2"), ("three", ""), ("two", "k2"), ("four", "k4")],
        )
    assert [m.seq for m in batch] == [2, 3, 2, 4] and batch[0] is batch[2]
    assert [(e["type"], [m["seq"] for m in e["messages"]]) for _, e in sent] == [
        ("chat.messages", [2, 3, 4])
    ]
    services.conversation_end(conversation_id=conversation.pk, actor=customer)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        [again] = services.message_store(
            conversation_id=conversation.pk, sender=customer, items=[("four", "k4")]
        )
    assert again.pk == batch[3].pk and sent == []
    with pytest.raises(ValidationError, match=str(services.CHAT_ENDED)):
        services.message_store(
            conversation_id=conversation.pk, sender=customer, items=[("four", "k4"), ("5", "")]
        )
    assert Message.objects.filter(conversation=conversation).count() == 4


def test_only_participants_write_and_nobody_writes_to_an_ended_chat(sent):
    conversation, _ = services.conversation_start(customer=SuperAdminFactory(), topic="t", body="b")
    stranger = SuperAdminFactory()
    with pytest.raises(PermissionDenied, match=str(services.NOT_A_PARTICIPANT)):
        services.message_store(conversation_id=conversation.pk, sender=stranger, items=[("hi", "")])
    with pytest.raises(PermissionDenied, match=str(services.NOT_A_PARTICIPANT)):
        services.conversation_end(conversation_id=conversation.pk, actor=stranger)
    services.conversation_end(conversation_id=conversation.pk, actor=conversation.customer)
    with pytest.raises(ValidationError, match=str(services.CHAT_ENDED)):
        services.message_store(
            conversation_id=conversation.pk, sender=conversation.customer, items=[("x", "")]
        )
    with pytest.raises(ValidationError, match=str(services.MESSAGE_TOO_LONG)):
        services.message_clean(body="x" * 4001, client_id="")
    assert Message.objects.count() == 1


def test_two_specialists_cannot_both_accept_and_customers_cannot_accept(sent):
    conversation, _ = services.conversation_start(customer=SuperAdminFactory(), topic="t", body="b")
    first, second = StaffFactory(), StaffFactory()
    services.conversation_accept(conversation_id=conversation.pk, specialist=first)
    with pytest.raises(ValidationError, match=str(services.ALREADY_TAKEN)):
        services.conversation_accept(conversation_id=conversation.pk, specialist=second)
    with pytest.raises(PermissionDenied, match=str(services.STAFF_ONLY)):
        services.conversation_accept(conversation_id=conversation.pk, specialist=UserFactory())
    assert Conversation.objects.get().specialist == first


def test_a_customer_without_premium_support_cannot_start_and_one_open_chat_each(sent):
    with pytest.raises(PermissionDenied, match=str(services.NOT_ENTITLED)):
        services.conversation_start(customer=UserFactory(), topic="t", body="b")
    customer = SuperAdminFactory()
    services.conversation_start(customer=customer, topic="t", body="b")
    with pytest.raises(ValidationError, match=str(services.ALREADY_OPEN)):
        services.conversation_start(customer=customer, topic="again", body="b")


@override_settings(CHAT_PRESENCE_TIMEOUT_SECONDS=60, CHAT_LONG_WAIT_SECONDS=300)
def test_email_is_offered_when_nobody_is_online_or_the_wait_is_long(sent):
    assert selectors.availability().offer_email is True
    specialist = StaffFactory()
    presence = services.presence_set(specialist=specialist, status=PresenceStatus.ONLINE)
    assert selectors.availability() == selectors.Availability(1, 0, 60, False)
    assert selectors.availability(position=6).offer_email is True  # 6 min expected
    services.presence_set(specialist=specialist, status=PresenceStatus.AWAY)
    assert selectors.availability().offer_email is True
    services.presence_set(specialist=specialist, status=PresenceStatus.ONLINE)
    type(presence).objects.update(last_seen_at=timezone.now() - timedelta(seconds=61))
    assert selectors.specialists_online_count() == 0  # no heartbeat: offline


def test_the_transcript_is_emailed_once(mailoutbox, sent, django_capture_on_commit_callbacks):
    from chat.tasks import chat_transcript_email

    conversation, _ = services.conversation_start(
        customer=SuperAdminFactory(), topic="Billing <export>", body="<script>x</script>"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_end(conversation_id=conversation.pk, actor=conversation.customer)
    assert chat_transcript_email(conversation.pk) is False  # a retry sends nothing twice
    assert len(mailoutbox) == 1
    assert "<script>x</script>" in mailoutbox[0].body  # plain text, as written
    assert mailoutbox[0].subject == "Your Premium chat transcript: Billing <export>"


def test_seen_is_recorded_for_participants_only_never_moves_back_and_implies_delivered(
    sent, django_capture_on_commit_callbacks
):
    specialist = StaffFactory()
    conversation, _ = services.conversation_start(customer=SuperAdminFactory(), topic="t", body="1")
    services.conversation_accept(conversation_id=conversation.pk, specialist=specialist)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.seen_mark(
            conversation_id=conversation.pk, user=conversation.customer, seq=99
        )
    conversation.refresh_from_db()
    # Capped at the last message; delivery follows.
    assert (conversation.customer_seen_seq, conversation.customer_delivered_seq) == (1, 1)
    assert not services.seen_mark(
        conversation_id=conversation.pk, user=conversation.customer, seq=0
    )
    assert [e for _, e in sent] == [
        {"type": "chat.seen", "conversation": conversation.pk, "role": "customer", "seq": 1}
    ]
    for stranger in (StaffFactory(), SuperAdminFactory(), UserFactory()):
        with pytest.raises(PermissionDenied):
            services.seen_mark(conversation_id=conversation.pk, user=stranger, seq=1)
    conversation.refresh_from_db()
    assert conversation.specialist_seen_seq == 0


def test_the_transcripts_give_times_in_the_customers_zone(
    mailoutbox, sent, django_capture_on_commit_callbacks
):
    """The email and the ticket made of the chat write times in the customer's zone, in
    the portal's one style, and name the zone (never UTC for a customer in Paris)."""
    from datetime import UTC, datetime

    from chat.tasks import chat_transcript_email

    customer = SuperAdminFactory(time_zone="Europe/Paris")
    specialist = StaffFactory()
    conversation, _ = services.conversation_start(customer=customer, topic="VPN", body="Down")
    services.conversation_accept(conversation_id=conversation.pk, specialist=specialist)
    at = datetime(2026, 12, 2, 7, 48, tzinfo=UTC)
    Conversation.objects.filter(pk=conversation.pk).update(created_at=at)
    Message.objects.filter(conversation=conversation).update(created_at=at)
    ticket = services.conversation_ticket_create(
        conversation_id=conversation.pk, specialist=specialist
    )
    assert "(times in Europe/Paris)" in ticket.description
    assert "[2 Dec 2026, 08:48] " in ticket.description
    with timezone.override("UTC"), django_capture_on_commit_callbacks(execute=True):
        services.conversation_end(conversation_id=conversation.pk, actor=customer)
    chat_transcript_email(conversation.pk)
    body = mailoutbox[-1].body
    assert "started 2 Dec 2026, 08:48 (Europe/Paris)." in body
    assert "[08:48] " in body
    assert "UTC" not in body
