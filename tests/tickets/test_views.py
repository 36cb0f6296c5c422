import pytest
from django.urls import reverse

from helpdesk.tickets import services
from helpdesk.tickets.models import ReplyVisibility, Ticket, TicketStatus
from tests.factories import StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def acme():
    admin = SuperAdminFactory(email="ada@acme.example")
    regular = UserFactory(account=admin.account, email="ulysses@acme.example")
    return admin, regular


def test_super_admin_submits_a_business_critical_ticket_through_the_dialog(client, acme):
    admin, _ = acme
    client.force_login(admin)
    response = client.post(
        reverse("ticket_new"),
        {
            "subject": "Nobody can log in",
            "description": "SSO fails for all",
            "business_critical": "on",
        },
        **JSON,
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.business_critical
    body = response.json()
    assert body["url"] == f"/tickets/{ticket.pk}/"
    assert "within 30 minutes" in body["confirmation_html"]


def test_regular_user_posting_the_flag_is_refused_and_nothing_is_saved(client, acme):
    _, regular = acme
    client.force_login(regular)
    for value in ("on", "false", ""):
        response = client.post(
            reverse("ticket_new"),
            {"subject": "s", "description": "d", "business_critical": value},
            **JSON,
        )
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "business_critical": [services.BUSINESS_CRITICAL_ONLY_SUPER_ADMIN]
        }
    assert not Ticket.objects.exists()


def test_regular_user_sees_no_checkbox_and_gets_the_target_wording(client, acme):
    _, regular = acme
    client.force_login(regular)
    page = client.get(reverse("ticket_new")).content.decode()
    assert 'name="business_critical"' not in page
    response = client.post(reverse("ticket_new"), {"subject": "s", "description": "d"}, **JSON)
    html = response.json()["confirmation_html"]
    assert "within one business day" in html and "not a guarantee" in html


def test_invalid_form_shows_clear_errors_without_javascript(client, acme):
    client.force_login(acme[0])
    response = client.post(reverse("ticket_new"), {"subject": "", "description": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert str(services.SUBJECT_REQUIRED) in page and str(services.DESCRIPTION_REQUIRED) in page
    assert not Ticket.objects.exists()


def test_customer_without_entitlement_is_refused_on_the_server(client):
    client.force_login(UserFactory())
    response = client.post(reverse("ticket_new"), {"subject": "s", "description": "d"}, **JSON)
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_mobile_app_request_is_refused(client, acme):
    client.force_login(acme[0])
    response = client.post(
        reverse("ticket_new"),
        {"subject": "s", "description": "d"},
        HTTP_USER_AGENT="PremiumDeskMobile/4.0 (iOS)",
        **JSON,
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_anonymous_post_is_sent_to_login(client):
    response = client.post(reverse("ticket_new"), {"subject": "s", "description": "d"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Ticket.objects.exists()


def test_my_tickets_scope_super_admin_sees_the_account_regular_user_their_own(client, acme):
    admin, regular = acme
    own = ticket_for(regular, subject="Regular's ticket")
    admins = ticket_for(admin, subject="Admin's ticket")
    ticket_for(SuperAdminFactory(), subject="Other account's ticket")
    client.force_login(admin)
    page = client.get(reverse("ticket_list")).content.decode()
    assert "Regular&#x27;s ticket" in page and "Admin&#x27;s ticket" in page
    assert "Other account" not in page
    client.force_login(regular)
    page = client.get(reverse("ticket_list")).content.decode()
    assert "Regular&#x27;s ticket" in page and "Admin&#x27;s ticket" not in page
    assert own.pk and admins.pk


def test_guessing_ids_of_others_tickets_gives_404_revealing_nothing(client, acme):
    admin, regular = acme
    other = ticket_for(SuperAdminFactory(), subject="Secret merger plans")
    colleagues = ticket_for(admin, subject="Admin only")
    client.force_login(regular)
    for ticket in (other, colleagues):
        for url in (
            reverse("ticket_detail", args=[ticket.pk]),
            reverse("ticket_reply", args=[ticket.pk]),
        ):
            method = client.post if url.endswith("reply/") else client.get
            response = method(url, {"body": "hi"})
            assert response.status_code == 404
            assert "Secret merger" not in response.content.decode()
    assert not other.replies.exists() and not colleagues.replies.exists()
    missing = client.get(reverse("ticket_detail", args=[999_999]))
    assert missing.status_code == 404


def test_customer_forging_an_internal_note_is_refused(client, acme):
    admin, _ = acme
    ticket = ticket_for(admin)
    client.force_login(admin)
    for visibility in ("internal", "something-else"):
        response = client.post(
            reverse("ticket_reply", args=[ticket.pk]), {"body": "x", "visibility": visibility}
        )
        assert response.status_code == 403
    assert not ticket.replies.exists()


def test_internal_notes_are_never_shown_to_customers(client, acme):
    admin, _ = acme
    ticket = ticket_for(admin)
    agent = StaffFactory()
    services.ticket_reply(
        ticket=ticket,
        author=agent,
        body="Customer is on old plan",
        visibility=ReplyVisibility.INTERNAL,
    )
    services.ticket_reply(ticket=ticket, author=agent, body="Try again now", visibility="public")
    client.force_login(admin)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert "Try again now" in page
    assert "old plan" not in page


def test_state_changes_by_get_are_refused(client, acme):
    admin, _ = acme
    ticket = ticket_for(admin)
    client.force_login(admin)
    response = client.get(reverse("ticket_reply", args=[ticket.pk]), {"body": "via GET"})
    assert response.status_code == 405
    assert not ticket.replies.exists()
    client.force_login(StaffFactory())
    client.get(
        reverse("admin:tickets_ticket_changelist"),
        {"action": "mark_solved", "_selected_action": ticket.pk},
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


def test_html_in_subject_description_and_replies_is_shown_as_text(client, acme):
    admin, _ = acme
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    ticket = ticket_for(admin, subject=evil, description=evil)
    services.ticket_reply(ticket=ticket, author=StaffFactory(), body=evil, visibility="public")
    client.force_login(admin)
    for url in (reverse("ticket_detail", args=[ticket.pk]), reverse("ticket_list")):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
    client.force_login(StaffFactory())
    for url in (
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        reverse("admin:tickets_ticket_changelist"),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page


def test_csrf_is_required_for_ticket_submission(acme):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(acme[0])
    response = csrf_client.post(reverse("ticket_new"), {"subject": "s", "description": "d"})
    assert response.status_code == 403
    assert not Ticket.objects.exists()
