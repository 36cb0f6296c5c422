"""Presence, capacity and automatic assignment (AUTO_ASSIGN): the round robin among
available specialists under their chat capacity, shared by chats and tickets."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from accounts import services as accounts
from accounts.assignment import CAPACITY_REACHED
from chat import services
from chat.models import Conversation, ConversationStatus, PresenceStatus
from helpdesk.tickets.choices import TicketChannel, TicketEventKind, TicketStatus
from helpdesk.tickets.services import ticket_create
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory

pytestmark = pytest.mark.django_db


def _online(*specialists):
    for specialist in specialists:
        services.presence_set(specialist=specialist, status=PresenceStatus.ONLINE)


def _start(topic="Help"):
    conversation, _ = services.conversation_start(
        customer=SuperAdminFactory(), topic=topic, body="Hello"
    )
    conversation.refresh_from_db()
    return conversation


def _holders():
    return list(
        Conversation.objects.order_by("created_at", "pk").values_list("specialist_id", flat=True)
    )


@override_settings(AUTO_ASSIGN=True)
def test_two_specialists_with_capacity_one_take_two_chats_and_the_third_waits(
    django_capture_on_commit_callbacks,
):
    first, second = StaffFactory(chat_capacity=1), StaffFactory(chat_capacity=1)
    _online(first, second)
    with django_capture_on_commit_callbacks(execute=True):
        a, _b, c = _start("A"), _start("B"), _start("C")
    assert _holders() == [first.pk, second.pk, None]
    c.refresh_from_db()
    assert c.status == ConversationStatus.WAITING
    a.refresh_from_db()
    assert a.status == ConversationStatus.ACTIVE and a.auto_assigned_at is not None
    # The first ends a chat: the waiting one is given to them.
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_end(conversation_id=a.pk, actor=first)
    c.refresh_from_db()
    assert c.specialist == first and c.status == ConversationStatus.ACTIVE


@override_settings(AUTO_ASSIGN=True, CHAT_DEFAULT_CAPACITY=5)
def test_round_robin_skips_away_and_offline_specialists(django_capture_on_commit_callbacks):
    first, away, second, offline = StaffFactory(), StaffFactory(), StaffFactory(), StaffFactory()
    _online(first, away, second)
    accounts.staff_availability_set(user=away, available=False)
    with django_capture_on_commit_callbacks(execute=True):
        for topic in "ABCD":
            _start(topic)
    assert _holders() == [first.pk, second.pk, first.pk, second.pk]
    assert offline.pk not in _holders() and away.pk not in _holders()
    presence = services.presence_set(specialist=away, status=PresenceStatus.ONLINE)
    assert presence.status == PresenceStatus.AWAY  # the console follows Away


@override_settings(AUTO_ASSIGN=True)
def test_becoming_available_takes_the_waiting_chats(django_capture_on_commit_callbacks):
    specialist = StaffFactory(available=False)
    _online(specialist)
    with django_capture_on_commit_callbacks(execute=True):
        chat = _start()
    chat.refresh_from_db()
    assert chat.specialist is None
    with django_capture_on_commit_callbacks(execute=True):
        accounts.staff_availability_set(user=specialist, available=True)
    chat.refresh_from_db()
    assert chat.specialist == specialist


def test_without_auto_assign_chats_wait(django_capture_on_commit_callbacks):
    specialist = StaffFactory()
    _online(specialist)
    with django_capture_on_commit_callbacks(execute=True):
        chat = _start()
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.WAITING


@override_settings(CHAT_DEFAULT_CAPACITY=2)
def test_accepting_over_capacity_is_refused_and_changes_nothing():
    specialist = StaffFactory()
    for chat in (_start(), _start()):
        services.conversation_accept(conversation_id=chat.pk, specialist=specialist)
    third = _start()
    with pytest.raises(ValidationError) as refused:
        services.conversation_accept(conversation_id=third.pk, specialist=specialist)
    assert refused.value.messages == [CAPACITY_REACHED % {"count": 2}]
    third.refresh_from_db()
    assert third.status == ConversationStatus.WAITING and third.specialist is None


@override_settings(AUTO_ASSIGN=True)
def test_new_tickets_go_round_robin_and_the_history_says_so(django_capture_on_commit_callbacks):
    first, away, second = StaffFactory(), StaffFactory(available=False), StaffFactory()
    customer = SuperAdminFactory()
    with django_capture_on_commit_callbacks(execute=True):
        tickets = [
            ticket_create(
                requester=customer, channel=TicketChannel.EMAIL, subject=s, description="x"
            )
            for s in "ABC"
        ]
    for ticket in tickets:
        ticket.refresh_from_db()
    assert [t.assignee_id for t in tickets] == [first.pk, second.pk, first.pk]
    assert away.pk not in [t.assignee_id for t in tickets]
    assert tickets[0].status == TicketStatus.OPEN
    event = tickets[0].events.get(kind=TicketEventKind.ASSIGNED)
    assert event.actor is None and event.to_value == str(first)
    assert "automatically" in event.reason


def test_availability_is_for_staff_and_capacity_for_leads():
    customer, specialist, lead = SuperAdminFactory(), StaffFactory(), LeadFactory()
    with pytest.raises(PermissionDenied):
        accounts.staff_availability_set(user=customer, available=True)
    with pytest.raises(PermissionDenied):
        accounts.specialist_capacity_set(specialist=specialist, capacity=9, actor=specialist)
    with pytest.raises(ValidationError):
        accounts.specialist_capacity_set(specialist=specialist, capacity=99, actor=lead)
    accounts.specialist_capacity_set(specialist=specialist, capacity=4, actor=lead)
    specialist.refresh_from_db()
    assert specialist.chat_capacity == 4


def test_the_header_toggle_sets_away_and_forged_posts_are_refused(client):
    specialist = StaffFactory()
    client.force_login(specialist)
    page = client.get(reverse("admin:index"))
    assert "Set away" in page.content.decode()
    url = reverse("staff_availability")
    response = client.post(url, {"available": "0", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    specialist.refresh_from_db()
    assert specialist.available is False
    customer = SuperAdminFactory()
    client.force_login(customer)
    assert client.post(url, {"available": "0"}).status_code == 403
    customer.refresh_from_db()
    assert customer.available is True
    client.logout()
    assert client.post(url, {"available": "0"}).status_code == 302  # to the login page
    assert client.get(url).status_code == 302


def test_leads_edit_capacity_in_the_admin_and_specialists_only_read_it(client):
    specialist, lead = StaffFactory(), LeadFactory()
    url = reverse("admin:accounts_specialist_change", args=[specialist.pk])
    client.force_login(specialist)
    assert client.get(reverse("admin:accounts_specialist_changelist")).status_code == 200
    client.post(url, {"chat_capacity": "9"})
    specialist.refresh_from_db()
    assert specialist.chat_capacity is None
    client.force_login(lead)
    response = client.post(url, {"chat_capacity": "99"})
    assert response.status_code == 200 and "from 0 to 20" in response.content.decode()
    response = client.post(url, {"chat_capacity": "4"})
    assert response.status_code == 302
    specialist.refresh_from_db()
    assert specialist.chat_capacity == 4
    client.force_login(SuperAdminFactory())
    assert client.post(url, {"chat_capacity": "1"}).status_code == 302  # admin login
    specialist.refresh_from_db()
    assert specialist.chat_capacity == 4


@pytest.mark.django_db(transaction=True)
@override_settings(CHAT_DEFAULT_CAPACITY=1)
def test_the_console_socket_refuses_a_chat_over_capacity():
    from tests.chat.conftest import Socket, run_async, session_cookie

    specialist = StaffFactory()
    held, extra = _start("Held"), _start("Extra")
    services.conversation_accept(conversation_id=held.pk, specialist=specialist)
    cookie = session_cookie(specialist)

    async def body():
        console = Socket("/ws/chat/console/", cookie)
        assert await console.connect()
        await console.send({"type": "accept", "conversation": extra.pk})
        error = await console.recv_type("error")
        await console.close()
        return error

    error = run_async(body)
    assert error["message"] == str(CAPACITY_REACHED % {"count": 1})
    extra.refresh_from_db()
    assert extra.status == ConversationStatus.WAITING and extra.specialist is None
