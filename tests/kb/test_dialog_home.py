"""The help dialog's home (issue 17): the customer's own open and recent conversations
across channels, through accounts.conversations (kb imports none of its peers); articles
inside the dialog; votes acknowledged neutrally, "No" offering Contact us."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.conversations import conversations_for
from chat import services as chat_services
from chat.models import Conversation
from helpdesk.callbacks.services import callback_request_create
from helpdesk.tickets.models import Ticket, TicketStatus
from tests.factories import StaffFactory, SuperAdminFactory, UserFactory, ticket_for
from tests.kb.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setattr("helpdesk.core.realtime.broadcast_now", lambda g, e: None)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_home_lists_the_customers_own_tickets_chats_and_callbacks_open_first():
    customer = SuperAdminFactory()
    old = ticket_for(customer, subject="Old solved one")
    Ticket.objects.filter(pk=old.pk).update(
        status=TicketStatus.SOLVED, updated_at=timezone.now() - timedelta(days=40)
    )
    solved = ticket_for(customer, subject="Solved yesterday")
    Ticket.objects.filter(pk=solved.pk).update(
        status=TicketStatus.SOLVED, updated_at=timezone.now() - timedelta(days=1)
    )
    open_ticket = ticket_for(customer, subject="Exports are empty")
    callback, _ = callback_request_create(
        requester=customer, phone="+14155550100", topic="Call me about billing"
    )
    chat, _ = chat_services.conversation_start(customer=customer, topic="Live now", body="hi")
    items = conversations_for(user=customer)
    assert [(i.kind, i.title, i.is_open) for i in items] == [
        ("chat", "Live now", True),
        ("callback", "Call me about billing", True),
        ("ticket", "Exports are empty", True),
        ("ticket", "Solved yesterday", False),
    ]  # the one solved 40 days ago is no longer "recent"
    by_kind = {i.kind: i for i in items}
    assert by_kind["chat"].url is None  # opens the live chat inside the dialog
    assert by_kind["callback"].url == f"/tickets/#callback-{callback.pk}"
    assert items[2].url == f"/tickets/{open_ticket.pk}/"
    assert (items[2].status_label, items[3].status_label) == ("New", "Solved")


def test_a_chat_that_became_a_ticket_opens_the_ticket():
    customer = SuperAdminFactory()
    chat, _ = chat_services.conversation_start(customer=customer, topic="Help", body="hi")
    specialist = StaffFactory()
    chat_services.conversation_accept(conversation_id=chat.pk, specialist=specialist)
    ticket = chat_services.conversation_ticket_create(
        conversation_id=chat.pk, specialist=specialist
    )
    chat_services.conversation_end(conversation_id=chat.pk, actor=specialist)
    [chat_item] = [i for i in conversations_for(user=customer) if i.kind == "chat"]
    assert (chat_item.status, chat_item.url) == ("ended", f"/tickets/{ticket.pk}/")


def test_the_endpoint_never_lists_another_customers_items_even_in_the_same_account():
    me = SuperAdminFactory()
    colleague = UserFactory(account=me.account)
    stranger = SuperAdminFactory()
    ticket_for(colleague, subject="Colleague's ticket")
    ticket_for(stranger, subject="Stranger's ticket")
    chat_services.conversation_start(customer=stranger, topic="Stranger's chat", body="x")
    mine = ticket_for(me, subject="Mine")
    response = _client(me).get(reverse("help_conversations"))
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    items = response.json()["items"]
    assert [(i["kind"], i["id"], i["title"]) for i in items] == [("ticket", mine.pk, "Mine")]
    # A forged parameter changes nothing: the list is always the caller's own.
    forged = _client(me).get(reverse("help_conversations"), {"user": stranger.pk})
    assert forged.json()["items"] == items


def test_anonymous_and_staff_get_an_empty_home_and_posts_are_refused():
    assert Client().get(reverse("help_conversations")).json() == {"items": []}
    assert _client(StaffFactory()).get(reverse("help_conversations")).json() == {"items": []}
    assert _client(SuperAdminFactory()).post(reverse("help_conversations")).status_code == 405


def test_an_article_opens_inside_the_dialog_and_keeps_its_own_page(client):
    ArticleFactory(slug="exports", title="Exporting reports", body="## Steps\n\nClick Export.")
    response = client.get(reverse("help_article", args=["exports"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Exporting reports" in html and "Click Export." in html
    assert 'href="/kb/exports/"' in html  # its own page
    assert "<html" not in html  # a fragment for the dialog
    assert client.get(reverse("help_article", args=["nope"])).status_code == 404


def test_votes_are_acknowledged_neutrally_and_no_offers_contact_us():
    ArticleFactory(slug="exports")
    client = _client(SuperAdminFactory())
    url = reverse("article_feedback", args=["exports"])
    no = client.post(url, {"helpful": "no"}, HTTP_ACCEPT="application/json")
    assert no.status_code == 200 and no.json()["helpful"] is False
    assert "If you still need help, contact us." in no.json()["message"]
    page = client.post(url, {"helpful": "no"}, follow=True).content.decode()
    assert "message-info" in page and "message-success" not in page
    assert "data-kb-not-helpful>" in page  # the Contact us offer is shown
    bad = client.post(url, {"helpful": "maybe"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and bad.json()["errors"]
    staff = _client(StaffFactory()).post(url, {"helpful": "no"}, HTTP_ACCEPT="application/json")
    assert staff.status_code == 403 and staff.json()["errors"]


def test_conversation_model_of_chat_is_unchanged_by_listing():
    customer = SuperAdminFactory()
    chat_services.conversation_start(customer=customer, topic="t", body="b")
    conversations_for(user=customer)
    assert Conversation.objects.get().status == "waiting"
