"""A chat's history in pages: the selectors' bounds, and the HTTP endpoint, which answers
only under the rule of the socket that carries the chat (forged requests refused)."""

import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import PremiumSupportPurchase
from chat import selectors, services
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat():
    customer = SuperAdminFactory(full_name="Ada Admin")
    specialist = StaffFactory(full_name="Sam Specialist")
    conversation, _ = services.conversation_start(customer=customer, topic="Logs", body="m1")
    services.conversation_accept(conversation_id=conversation.pk, specialist=specialist)
    services.message_store(
        conversation_id=conversation.pk,
        sender=customer,
        items=[(f"m{n}", "") for n in range(2, 451)],
    )
    return conversation, customer, specialist


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _url(conversation, **query) -> str:
    url = reverse("chat_history", args=[conversation.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_pages_after_a_seq_are_oldest_first_bounded_by_count_and_bytes(chat):
    conversation = chat[0]
    page = selectors.message_page(conversation=conversation, after_seq=10)
    assert [m["seq"] for m in page["messages"]] == list(range(11, 211))
    assert page["more"] is True and page["next_after"] == 210
    small = selectors.message_page(conversation=conversation, after_seq=10, limit=3)
    assert [m["seq"] for m in small["messages"]] == [11, 12, 13]
    # Bytes: each payload is about 200 bytes of JSON; a 1,000-byte budget holds four.
    tight = selectors.message_page(conversation=conversation, after_seq=0, budget=1_000)
    sizes = [len(json.dumps(m)) for m in tight["messages"]]
    assert sum(sizes) <= 1_000 and tight["more"] is True
    assert [m["seq"] for m in tight["messages"]] == list(range(1, len(sizes) + 1))
    # At least one message, however small the budget: paging always moves on.
    assert (
        len(selectors.message_page(conversation=conversation, after_seq=0, budget=1)["messages"])
        == 1
    )
    last = selectors.message_page(conversation=conversation, after_seq=440)
    assert [m["seq"] for m in last["messages"]] == list(range(441, 451))
    assert (last["more"], last["next_after"]) == (False, None)
    assert selectors.message_page(conversation=conversation, after_seq=450)["messages"] == []


def test_pages_before_a_seq_are_the_newest_before_it(chat):
    conversation = chat[0]
    earlier = selectors.history_page(conversation=conversation, before_seq=251)
    assert earlier["type"] == "earlier"
    assert [m["seq"] for m in earlier["messages"]] == list(range(51, 251))
    assert earlier["from_seq"] == 51
    first = selectors.history_page(conversation=conversation, before_seq=51)
    assert [m["seq"] for m in first["messages"]] == list(range(1, 51))
    assert first["from_seq"] is None  # nothing earlier


def test_the_chats_customer_and_specialist_page_through_all_of_it_over_http(chat):
    conversation, customer, specialist = chat
    for user in (customer, specialist):
        client, seqs, after, pages = _client(user), [], 0, 0
        while True:
            answer = client.get(_url(conversation, after=after))
            assert answer.status_code == 200
            page = answer.json()
            seqs += [m["seq"] for m in page["messages"]]
            pages += 1
            if not page["more"]:
                break
            after = page["next_after"]
        assert seqs == list(range(1, 451)) and pages == 3
        assert page["conversation"]["id"] == conversation.pk
        assert page["conversation"]["status"] == "active"
    answer = _client(customer).get(_url(conversation, before=101, limit=20)).json()
    assert [m["seq"] for m in answer["messages"]] == list(range(81, 101))
    assert answer["from_seq"] == 81


def test_forged_history_requests_are_refused_and_reveal_nothing(chat, settings):
    conversation, customer, specialist = chat
    colleague = UserFactory(account=customer.account)  # same account, not their chat
    other_account = SuperAdminFactory()
    other_specialist = StaffFactory()
    lead = LeadFactory()  # a lead is not a participant either
    url = _url(conversation, after=0)

    assert _client().get(url).status_code == 302  # anonymous: to the login page
    for user in (colleague, other_account, other_specialist, lead):
        answer = _client(user).get(url)
        assert answer.status_code == 404, user
        assert b"m1" not in answer.content
    # The socket's own conditions hold here too: not from the mobile app...
    settings.MOBILE_APP_USER_AGENT_MARKER = "PremiumDeskMobile"
    mobile = _client(customer).get(url, headers={"User-Agent": "PremiumDeskMobile/3.1"})
    assert mobile.status_code == 404
    # ...not a POST, and bad numbers are a 400 rather than a database error.
    assert _client(customer).post(url).status_code == 405
    for query in ({"after": "-1"}, {"after": "x"}, {"before": str(2**64)}, {"limit": "1e3"}):
        assert _client(customer).get(_url(conversation, **query)).status_code == 400, query
    assert _client(customer).get(_url(conversation, after=0)).status_code == 200


def test_history_follows_rights_that_change_after_the_chat_began(chat):
    conversation, customer, specialist = chat
    url = _url(conversation, after=0)
    with override_settings(STAFF_REQUIRE_2FA=True):
        # A specialist whose session owes a second factor: refused like on the console.
        refused = _client(specialist).get(url, headers={"Accept": "application/json"})
        assert refused.status_code == 403
        assert "m1" not in refused.content.decode()
    assert _client(specialist).get(url).status_code == 200
    PremiumSupportPurchase.objects.filter(account=customer.account).delete()
    assert _client(customer).get(url).status_code == 404  # no longer entitled to chat
    specialist.groups.clear()
    assert _client(specialist).get(url).status_code == 404  # no longer a specialist
