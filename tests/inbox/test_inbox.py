"""The staff inbox: what it lists, in which order, its filters, claims, and forged
requests (anonymous, customer, staff outside the agent groups)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from chat.models import Conversation
from chat.services import conversation_start
from helpdesk.callbacks.models import CallbackRequest, CallbackStatus
from helpdesk.callbacks.services import callback_request_create
from helpdesk.tickets.models import ReplyVisibility, Ticket, TicketStatus
from helpdesk.tickets.services import ticket_assign, ticket_reply
from sla.inbox import InboxQuery, inbox_for, inbox_waiting_count
from tests.factories import StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def _due(model, item, minutes: float) -> None:
    """Move an item's deadline to `minutes` from now (negative: past it)."""
    model.objects.filter(pk=item.pk).update(due_at=timezone.now() + timedelta(minutes=minutes))


@pytest.fixture
def desk():
    """A known data set: three tickets, a waiting and a held chat, a waiting and a
    claimed callback, and tickets that must not be listed."""
    me = StaffFactory(full_name="Sam Specialist")
    other = StaffFactory(full_name="Olga Other")
    ada = SuperAdminFactory(full_name="Ada Admin")
    bob = SuperAdminFactory(full_name="Bob Boss")
    cyd = SuperAdminFactory(full_name="Cyd Caller")
    dee = SuperAdminFactory(full_name="Dee Held")
    eve = SuperAdminFactory(full_name="Eve Waiting")
    plain = ticket_for(ada, subject="Plain ticket")
    critical = ticket_for(bob, subject="Critical ticket", business_critical=True)
    mine = ticket_for(ada, subject="My ticket")
    ticket_assign(ticket=mine, assignee=me, actor=me)
    # Equal deadlines: business-critical first.
    same = timezone.now() + timedelta(minutes=30)
    Ticket.objects.filter(pk__in=[plain.pk, critical.pk]).update(due_at=same)
    _due(Ticket, mine, -5)  # breached
    answered = ticket_for(ada, subject="Answered, waiting on customer")
    ticket_reply(ticket=answered, author=me, body="Done?", visibility=ReplyVisibility.PUBLIC)
    solved = ticket_for(ada, subject="Solved ticket")
    Ticket.objects.filter(pk=solved.pk).update(status=TicketStatus.SOLVED)
    waiting_chat, _ = conversation_start(customer=eve, topic="Waiting chat", body="Hi")
    _due(Conversation, waiting_chat, 10)  # due soon
    held_chat, _ = conversation_start(customer=dee, topic="Held chat", body="Hi")
    from chat.services import conversation_accept

    conversation_accept(conversation_id=held_chat.pk, specialist=other)
    callback, _ = callback_request_create(requester=cyd, phone="+1 415 555 0100", topic="Call me")
    _due(CallbackRequest, callback, 60)
    claimed, _ = callback_request_create(requester=cyd, phone="+1 415 555 0101", topic="Claimed")
    from helpdesk.callbacks.services import callback_claim

    callback_claim(callback=claimed, specialist=me)
    return {"me": me, "other": other, "ada": ada}


def _titles(user, **filters):
    query = InboxQuery(user_id=user.pk, now=timezone.now(), **filters)
    return [item.title for item in inbox_for(user=user, query=query).items]


def test_the_inbox_lists_what_waits_by_time_left_business_critical_first(desk):
    assert _titles(desk["me"]) == [
        "My ticket",  # 5 minutes past its deadline
        "Waiting chat",  # 10 minutes left
        "Critical ticket",  # 30 minutes left, business-critical first at equal time
        "Plain ticket",
        "Call me",  # 60 minutes left
        # No clock running any more: the longest waiting first.
        "Held chat",
        "Claimed",
    ]


def test_each_filter_narrows_the_list(desk):
    me = desk["me"]
    assert _titles(me, mine=True) == ["My ticket", "Claimed"]
    assert _titles(me, unassigned=True) == [
        "Waiting chat",
        "Critical ticket",
        "Plain ticket",
        "Call me",
    ]
    assert _titles(me, breached=True) == ["My ticket"]
    assert _titles(me, due_soon=True) == ["Waiting chat"]
    assert _titles(me, critical=True) == ["Critical ticket"]
    assert _titles(me, kinds=frozenset(["callback"])) == ["Call me", "Claimed"]
    assert _titles(me, kinds=frozenset(["chat"]), unassigned=True) == ["Waiting chat"]
    assert _titles(desk["other"], mine=True) == ["Held chat"]


def test_the_limit_keeps_the_riskiest(desk):
    assert _titles(desk["me"], limit=2) == ["My ticket", "Waiting chat"]


def test_the_count_is_what_waits_for_this_specialist_or_for_anyone(desk):
    # Mine (ticket, claimed callback) and nobody's (2 tickets, waiting chat, callback).
    assert inbox_waiting_count(user=desk["me"]) == 6
    # Olga: the unassigned four and her held chat.
    assert inbox_waiting_count(user=desk["other"]) == 5


def test_the_page_shows_the_columns_links_and_claim_buttons(client, desk):
    client.force_login(desk["me"])
    response = client.get(reverse("staff_inbox"))
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Kind", "Customer", "Account", "Requester role", "Waited", "Time left"):
        assert f">{heading}</th>" in page
    ticket = Ticket.objects.get(subject="Critical ticket")
    assert f'href="{reverse("admin:tickets_ticket_change", args=[ticket.pk])}"' in page
    assert "Business-critical" in page and "Ada Admin" in page and "Super admin" in page
    assert page.count('name="kind" value="ticket"') == 2  # the unassigned tickets
    assert page.count('name="kind" value="chat"') == 1
    assert page.count('name="kind" value="callback"') == 1
    assert "over</span>" in page  # the breached ticket's time left
    assert 'data-waiting-since="' in page and 'data-due-at="' in page
    # Linked in the header of every admin page, with the console.
    index = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("staff_inbox")}"' in index
    assert f'href="{reverse("chat_console")}"' in index


def test_the_filters_are_links_that_toggle(client, desk):
    client.force_login(desk["me"])
    page = client.get(reverse("staff_inbox"), {"breached": "1"}).content.decode()
    assert "My ticket" in page and "Plain ticket" not in page
    assert 'href="?breached=1&amp;mine=1"' in page or 'href="?mine=1&amp;breached=1"' in page
    fragment = client.get(reverse("staff_inbox"), {"kind": "callback", "fragment": "1"})
    body = fragment.content.decode()
    assert "Call me" in body and "Plain ticket" not in body and "<html" not in body


def test_agents_land_on_the_inbox_after_login(client):
    StaffFactory(email="sam@support.example")
    from tests.factories import PASSWORD

    response = client.post(
        reverse("login"), {"username": "sam@support.example", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("staff_inbox")
    client.logout()
    response = client.post(
        reverse("admin:login"),
        {"username": "sam@support.example", "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("staff_inbox")
    # The admin index stays reachable.
    assert client.get(reverse("admin:index")).status_code == 200


def test_claiming_each_kind_calls_its_service(client, desk):
    me = desk["me"]
    client.force_login(me)
    url = reverse("staff_inbox_claim")
    ticket = Ticket.objects.get(subject="Plain ticket")
    chat = Conversation.objects.get(topic="Waiting chat")
    callback = CallbackRequest.objects.get(topic="Call me")
    for kind, pk in (("ticket", ticket.pk), ("chat", chat.pk), ("callback", callback.pk)):
        response = client.post(url, {"kind": kind, "id": pk}, **JSON)
        assert response.status_code == 200 and response.json() == {"ok": True, "error": ""}
    ticket.refresh_from_db()
    chat.refresh_from_db()
    callback.refresh_from_db()
    assert ticket.assignee == me and ticket.status == TicketStatus.OPEN
    assert chat.specialist == me and chat.status == "active"
    assert callback.holder == me and callback.status == CallbackStatus.IN_PROGRESS
    assert ticket.events.filter(kind="assigned", actor=me).exists()


def test_a_claim_on_someone_elses_item_is_refused_and_changes_nothing(client, desk):
    client.force_login(desk["other"])
    ticket = Ticket.objects.get(subject="My ticket")
    url = reverse("staff_inbox_claim")
    response = client.post(url, {"kind": "ticket", "id": ticket.pk}, **JSON)
    assert response.status_code == 400
    assert response.json()["error"] == "Another specialist already has this ticket."
    ticket.refresh_from_db()
    assert ticket.assignee == desk["me"]
    claimed = CallbackRequest.objects.get(topic="Claimed")
    response = client.post(url, {"kind": "callback", "id": claimed.pk}, **JSON)
    assert response.status_code == 400
    assert client.post(url, {"kind": "nonsense", "id": 1}, **JSON).status_code == 400
    assert client.post(url, {"kind": "ticket", "id": "x"}, **JSON).status_code == 400
    # Without JavaScript: back to the inbox with the refusal as a message.
    response = client.post(
        url, {"kind": "ticket", "id": ticket.pk, "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("staff_inbox")


@pytest.mark.parametrize("name", ["staff_inbox", "staff_inbox_count"])
def test_anonymous_and_customers_are_sent_to_the_admin_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    client.force_login(SuperAdminFactory())
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_forged_claims_by_anonymous_customer_and_staff_outside_the_groups(client):
    ticket = ticket_for(SuperAdminFactory(), subject="Forged")
    url = reverse("staff_inbox_claim")
    assert client.post(url, {"kind": "ticket", "id": ticket.pk}).status_code == 302
    client.force_login(ticket.requester)
    assert client.post(url, {"kind": "ticket", "id": ticket.pk}).status_code == 302
    staff = UserFactory(account=None, role="", is_staff=True)  # in no agent group
    staff.user_permissions.add(Permission.objects.get(codename="change_ticket"))
    client.force_login(staff)
    assert client.get(reverse("staff_inbox")).status_code == 403
    assert client.get(reverse("staff_inbox_count")).status_code == 403
    assert client.post(url, {"kind": "ticket", "id": ticket.pk}, **JSON).status_code == 403
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_specialist_without_the_ticket_permission_cannot_claim_a_ticket(client):
    ticket = ticket_for(SuperAdminFactory(), subject="No permission")
    agent = StaffFactory()
    specialists = Group.objects.get(name="Specialists")
    specialists.permissions.remove(Permission.objects.get(codename="change_ticket"))
    client.force_login(agent)
    response = client.post(
        reverse("staff_inbox_claim"), {"kind": "ticket", "id": ticket.pk}, **JSON
    )
    assert (
        response.status_code == 403 and response.json()["error"] == "You may not work on tickets."
    )
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_the_count_endpoint(client, desk):
    client.force_login(desk["me"])
    assert client.get(reverse("staff_inbox_count")).json() == {"waiting": 6}


def test_a_ticket_the_customer_answered_comes_back_after_the_running_clocks(desk):
    answered = Ticket.objects.get(subject="Answered, waiting on customer")
    ticket_reply(
        ticket=answered, author=desk["ada"], body="Still broken", visibility=ReplyVisibility.PUBLIC
    )
    titles = _titles(desk["me"])
    assert titles.index("Answered, waiting on customer") > titles.index("Call me")
    query = InboxQuery(user_id=desk["me"].pk, now=timezone.now())
    [item] = [i for i in inbox_for(user=desk["me"], query=query).items if i.item_id == answered.pk]
    assert item.due_at is None and item.status_label == "Open"
    assert _titles(desk["me"], breached=True) == ["My ticket"]  # no clock: never "breached"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Boîte de réception", "Temps restant", "Rôle du demandeur", "Les miens"]),
        ("ja", ["受信トレイ", "残り時間", "依頼者の役割", "自分の担当"]),
    ],
)
def test_the_inbox_speaks_french_and_japanese(client, desk, language, words):
    client.force_login(desk["me"])
    page = client.get(reverse("staff_inbox"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for word in words:
        assert word in page
    assert "Time left" not in page and "Requester role" not in page


def test_status_moves_outside_the_inbox_announce_nothing(
    monkeypatch, desk, django_capture_on_commit_callbacks
):
    from helpdesk.tickets.services import ticket_set_status

    sent: list = []
    monkeypatch.setattr("helpdesk.core.realtime.broadcast_now", lambda g, e: sent.append(e))
    ticket = Ticket.objects.get(subject="Plain ticket")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_set_status(ticket=ticket, status=TicketStatus.SOLVED, actor=desk["me"])
        ticket_set_status(ticket=ticket, status=TicketStatus.CLOSED, actor=desk["me"])
    changes = [(e["id"], e["change"]) for e in sent if e["type"] == "inbox.changed"]
    assert changes == [(ticket.pk, "answered")]  # out of the inbox once; closed is no news
