"""The ticket page for working (admin): its thread, customer panel, composer, macro
picker, Assign and Reclassify buttons, and forged requests on each of its views."""

import pytest
from django.urls import reverse

from chat.services import conversation_start
from helpdesk.callbacks.services import callback_request_create
from helpdesk.tickets import macros
from helpdesk.tickets.models import Macro, ReplyVisibility, TicketEventKind, TicketStatus
from helpdesk.tickets.services import ticket_reply
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def ticket():
    return ticket_for(SuperAdminFactory(full_name="Ada <b>Admin</b>"), description="It broke.")


@pytest.fixture
def macro():
    return macros.macro_save(
        macro=None,
        name="Solved for you",
        body="Hello {{customer_name}}, {{ticket_number}} is fixed.",
        status=TicketStatus.SOLVED,
        actor=LeadFactory(),
    )


def _url(name: str, ticket) -> str:
    return reverse(f"admin:tickets_ticket_{name}", args=[ticket.pk])


def test_the_page_shows_the_thread_from_the_description_on_and_the_customer(client, ticket):
    agent = StaffFactory(full_name="Sam Specialist")
    ticket_reply(ticket=ticket, author=agent, body="Looking", visibility=ReplyVisibility.INTERNAL)
    ticket_reply(ticket=ticket, author=agent, body="Fixed?", visibility=ReplyVisibility.PUBLIC)
    customer = ticket.requester
    other = ticket_for(customer, subject="Second problem")
    callback_request_create(requester=customer, phone="+1 415 555 0100", topic="Billing call")
    conversation_start(customer=customer, topic="Login chat", body="Hi")
    client.force_login(agent)
    page = client.get(_url("change", ticket)).content.decode()
    # The original description is the first message, then the note, then the reply.
    assert page.index("It broke.") < page.index("Looking") < page.index("Fixed?")
    assert "ws-msg-internal" in page and "Internal note" in page
    assert "Ada &lt;b&gt;Admin&lt;/b&gt;" in page and "Ada <b>Admin</b>" not in page
    # The customer panel: role, Premium Support, subscriptions, other items with links.
    assert "Super admin" in page and "Premium Support" in page and "Enterprise" in page
    assert f'href="{_url("change", other)}"' in page and "Second problem" in page
    assert "Billing call" in page and "/admin/callbacks/callbackrequest/" in page
    assert "Login chat" in page and "/admin/chat/conversation/" in page
    assert "This reply stops the first-reply clock" not in page  # stopped by "Fixed?"
    assert "An internal note does not stop the clock." in page


def test_an_unanswered_ticket_says_the_reply_stops_the_clock(client, ticket):
    client.force_login(StaffFactory())
    page = client.get(_url("change", ticket)).content.decode()
    assert "This reply stops the first-reply clock." in page
    assert 'role="tablist"' in page and 'aria-selected="true"' in page


def test_composer_sends_a_reply_with_a_macro_and_its_status(client, ticket, macro):
    client.force_login(StaffFactory())
    response = client.post(
        _url("compose", ticket),
        {"body": "Hello, fixed.", "visibility": "public", "macro": macro.pk},
        **JSON,
    )
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "message": "Reply sent.",
        "redirect": _url("change", ticket),
    }
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SOLVED and ticket.answered_at is not None
    assert ticket.replies.get().body == "Hello, fixed."


def test_composer_internal_note_leaves_the_clock_running(client, ticket):
    client.force_login(StaffFactory())
    response = client.post(
        _url("compose", ticket), {"body": "Note", "visibility": "internal"}, **JSON
    )
    assert response.json()["message"] == "Internal note added."
    ticket.refresh_from_db()
    assert ticket.answered_at is None and ticket.replies.get().visibility == "internal"


def test_composer_errors_are_shown_and_nothing_is_written(client, ticket):
    client.force_login(StaffFactory())
    response = client.post(_url("compose", ticket), {"body": " ", "visibility": "public"}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "errors": {"body": ["Write a message."]}}
    response = client.post(
        _url("compose", ticket), {"body": "x", "visibility": "public", "macro": 999}, **JSON
    )
    assert response.json()["errors"] == {
        "macro": ["This macro no longer exists. Pick another one."]
    }
    response = client.post(_url("compose", ticket), {"body": "x", "visibility": "loud"}, **JSON)
    assert response.status_code == 400
    # Without JavaScript: the form posts, the error comes back as a message.
    response = client.post(
        _url("compose", ticket), {"body": "", "visibility": "public"}, follow=True
    )
    assert "Write a message." in response.content.decode()
    assert not ticket.replies.exists()


def test_macro_endpoint_returns_macros_filled_for_this_ticket(client, ticket, macro):
    Macro.objects.create(name="Other", body="Nothing to see")
    client.force_login(StaffFactory())
    response = client.get(_url("macros", ticket), {"q": "fixed"})
    assert response.json() == {
        "ok": True,
        "macros": [
            {
                "id": macro.pk,
                "name": "Solved for you",
                "text": f"Hello Ada <b>Admin</b>, #{ticket.pk} is fixed.",
                "status": "solved",
                "status_label": "Solved",
            }
        ],
    }
    assert response["Content-Type"] == "application/json"  # text for a textarea, not HTML
    assert len(client.get(_url("macros", ticket)).json()["macros"]) == 2


def test_assign_to_me_and_to_someone_are_recorded(client, ticket):
    agent, lead = StaffFactory(), LeadFactory(full_name="Lee Lead")
    client.force_login(agent)
    response = client.post(_url("assign", ticket), {"assignee": "me"}, follow=True)
    assert "Assigned to" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    client.post(_url("assign", ticket), {"assignee": str(lead.pk)})
    ticket.refresh_from_db()
    assert ticket.assignee == lead
    events = ticket.events.filter(kind=TicketEventKind.ASSIGNED)
    assert [(e.actor, e.to_value) for e in events] == [(agent, str(agent)), (agent, str(lead))]


def test_assign_to_a_customer_or_unknown_user_is_refused(client, ticket):
    client.force_login(StaffFactory())
    for forged in (str(ticket.requester.pk), "999999", "abc"):
        response = client.post(_url("assign", ticket), {"assignee": forged}, **JSON)
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "__all__": ["Choose a specialist or lead to assign the ticket to."]
        }
    ticket.refresh_from_db()
    assert ticket.assignee is None and not ticket.events.filter(kind="assigned").exists()


def test_reclassify_button_needs_a_reason_and_is_recorded(client, ticket):
    client.force_login(StaffFactory())
    response = client.post(
        _url("reclassify", ticket), {"business_critical": "1", "reason": ""}, **JSON
    )
    assert response.json()["errors"] == {"reason": ["Give a reason for the reclassification."]}
    response = client.post(
        _url("reclassify", ticket),
        {"business_critical": "1", "reason": "Checkout down"},
        follow=True,
    )
    assert "Reclassified as business-critical" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.business_critical
    event = ticket.events.get(kind=TicketEventKind.RECLASSIFIED)
    assert event.reason.startswith("Checkout down")


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff_without_groups"])
def test_forged_requests_change_nothing(client, ticket, macro, who):
    if who == "customer":
        client.force_login(ticket.requester)
    elif who == "staff_without_groups":
        client.force_login(UserFactory(account=None, role="", is_staff=True))
    posts = [
        ("compose", {"body": "Hi", "visibility": "public", "macro": macro.pk}),
        ("assign", {"assignee": "me"}),
        ("reclassify", {"business_critical": "1", "reason": "forged"}),
    ]
    for name, data in posts:
        response = client.post(_url(name, ticket), data, **JSON)
        if who == "staff_without_groups":
            assert response.status_code == 403, name
            assert response.json()["errors"] == {"__all__": ["You may not work on tickets."]}
        else:  # the admin's login page
            assert response.status_code == 302 and "/login/" in response["Location"], name
    response = client.get(_url("macros", ticket), **JSON)
    assert response.status_code in (302, 403)
    assert "Hello" not in response.content.decode()
    ticket.refresh_from_db()
    assert not ticket.replies.exists() and ticket.assignee is None
    assert not ticket.business_critical and ticket.status == TicketStatus.NEW


def test_views_of_a_ticket_that_does_not_exist_are_404(client, ticket, macro):
    client.force_login(StaffFactory())
    missing = reverse("admin:tickets_ticket_compose", args=[ticket.pk + 1000])
    response = client.post(missing, {"body": "Hi", "visibility": "public"}, **JSON)
    assert response.status_code == 404
    assert (
        client.get(reverse("admin:tickets_ticket_macros", args=[ticket.pk + 1000])).status_code
        == 404
    )
    assert not ticket.replies.exists()


def test_compose_and_actions_accept_post_only(client, ticket):
    client.force_login(StaffFactory())
    for name in ("compose", "assign", "reclassify"):
        assert client.get(_url(name, ticket)).status_code == 405


def test_a_specialist_cannot_edit_or_delete_a_macro_in_the_admin(client, macro):
    client.force_login(StaffFactory())
    change = reverse("admin:tickets_macro_change", args=[macro.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = client.post(change, {"name": "Hacked", "body": "x", "status": ""})
    assert response.status_code == 403
    response = client.post(reverse("admin:tickets_macro_delete", args=[macro.pk]), {"post": "yes"})
    assert response.status_code == 403
    response = client.post(reverse("admin:tickets_macro_add"), {"name": "New", "body": "x"})
    assert response.status_code == 403
    macro.refresh_from_db()
    assert macro.name == "Solved for you" and Macro.objects.count() == 1


def test_a_lead_manages_macros_and_an_unknown_placeholder_is_shown(client):
    client.force_login(LeadFactory())
    add = reverse("admin:tickets_macro_add")
    response = client.post(add, {"name": "Hello", "body": "Hi {{name}}", "status": ""})
    assert response.status_code == 200
    assert "Unknown placeholder {{name}}." in response.content.decode()
    assert not Macro.objects.exists()
    response = client.post(
        add, {"name": "Hello", "body": "Hi {{customer_name}}", "status": "solved"}
    )
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert (macro.body, macro.status) == ("Hi {{customer_name}}", "solved")
    response = client.post(reverse("admin:tickets_macro_delete", args=[macro.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Macro.objects.exists()


def test_the_page_and_the_macro_error_are_translated(client, ticket):
    client.force_login(StaffFactory())
    client.cookies["django_language"] = "fr"
    page = client.get(_url("change", ticket)).content.decode()
    assert "Cette réponse arrête le délai de première réponse." in page
    assert "Note interne" in page and "Insérer une macro" in page
    client.force_login(LeadFactory())
    client.cookies["django_language"] = "ja"
    response = client.post(reverse("admin:tickets_macro_add"), {"name": "x", "body": "{{nom}}"})
    assert "不明なプレースホルダー {{nom}} です。" in response.content.decode()


def test_the_customers_answers_are_labelled_as_theirs_not_as_a_public_reply(client, ticket):
    agent = StaffFactory(full_name="Sam Specialist")
    ticket_reply(ticket=ticket, author=agent, body="Fixed?", visibility=ReplyVisibility.PUBLIC)
    ticket_reply(
        ticket=ticket,
        author=ticket.requester,
        body="Still broken.",
        visibility=ReplyVisibility.PUBLIC,
    )
    client.force_login(agent)
    page = client.get(_url("change", ticket)).content.decode()
    staff_at, customer_at = page.index("Fixed?"), page.index("Still broken.")
    staff_item = page[page.rindex("<li", 0, staff_at) : staff_at]
    customer_item = page[page.rindex("<li", 0, customer_at) : customer_at]
    assert "Public reply" in staff_item and "ws-msg-staff" in staff_item
    assert "Customer reply" in customer_item and "Public reply" not in customer_item
    assert "ws-msg-customer" in customer_item
