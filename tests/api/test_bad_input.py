"""Bad input gets a clear JSON error with the right status and stores nothing."""

import pytest
from django.test import override_settings

from helpdesk.callbacks.models import CallbackRequest
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.models import Reply, Ticket
from tests.api.conftest import client_for
from tests.factories import UserFactory, ticket_for


def _nothing_stored(before):
    assert (
        Ticket.objects.count(),
        Reply.objects.count(),
        CallbackRequest.objects.count(),
    ) == before


@pytest.fixture
def counts(db):
    return lambda: (Ticket.objects.count(), Reply.objects.count(), CallbackRequest.objects.count())


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (b"{not json", 400, "parse_error", None),
        (b"[1, 2]", 400, "validation_error", "non_field_errors"),
        (
            b'{"subject": "S", "description": "D", "status": "solved"}',
            400,
            "validation_error",
            "status",
        ),
        (
            b'{"subject": "S", "description": "D", "assignee": 3}',
            400,
            "validation_error",
            "assignee",
        ),
        (b'{"subject": 12, "description": "D"}', 400, "validation_error", "subject"),
        (b'{"subject": "S", "description": ["D"]}', 400, "validation_error", "description"),
        (
            b'{"subject": "S", "description": "D", "business_critical": "yes"}',
            400,
            "validation_error",
            "business_critical",
        ),
        (b'{"description": "D"}', 400, "validation_error", "subject"),
        (b'{"subject": "   ", "description": "D"}', 400, "validation_error", "subject"),
        (b'{"subject": "S\\u0000", "description": "D"}', 400, "validation_error", "subject"),
        (
            b'{"subject": "S", "description": "D", "business_critical": true}',
            400,
            "validation_error",
            "business_critical",
        ),
    ],
)
def test_ticket_create_bad_input(people, counts, body, status, code, field):
    before = counts()
    response = client_for(people["regular"]).post(
        "/api/v1/tickets/", body, content_type="application/json"
    )
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    if field:
        assert field in error["fields"], error
    _nothing_stored(before)


def test_regular_user_flagging_business_critical_gets_the_service_message(people, counts):
    response = client_for(people["regular"]).post(
        "/api/v1/tickets/",
        {"subject": "S", "description": "D", "business_critical": True},
        format="json",
    )
    assert response.json()["error"]["fields"]["business_critical"] == [
        {
            "code": "business_critical_super_admin_only",
            "message": str(ticket_services.BUSINESS_CRITICAL_ONLY_SUPER_ADMIN),
        }
    ]


def test_super_admin_may_flag_business_critical(people):
    response = client_for(people["super_admin"]).post(
        "/api/v1/tickets/",
        {"subject": "Outage", "description": "Nobody can log in", "business_critical": True},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["business_critical"] is True


def test_not_entitled_customer_is_refused_before_validation(db, counts):
    before = counts()
    response = client_for(UserFactory()).post(
        "/api/v1/tickets/", b"{}", content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "channel_not_allowed",
        "message": str(ticket_services.CHANNEL_NOT_ALLOWED),
        "fields": {},
    }
    _nothing_stored(before)


def test_mobile_app_gets_no_premium_channel(people):
    client = client_for(people["regular"])
    entitlement = client.get("/api/v1/entitlement/", HTTP_USER_AGENT="PremiumDeskMobile/3.1").json()
    assert entitlement["allowed"] is False and entitlement["reason"] == "mobile_app"
    response = client.post(
        "/api/v1/tickets/",
        {"subject": "S", "description": "D"},
        format="json",
        HTTP_USER_AGENT="PremiumDeskMobile/3.1",
    )
    assert response.status_code == 403


def test_another_accounts_ticket_is_404_for_read_and_reply(people, counts):
    ticket = ticket_for(people["other_account"])
    client = client_for(people["regular"])
    before = counts()
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").json()["error"]["code"] == "not_found"
    response = client.post(f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "hi"}, format="json")
    assert response.status_code == 404
    assert client.get("/api/v1/tickets/999999/").status_code == 404
    _nothing_stored(before)


def test_customer_setting_a_staff_only_field_on_a_reply(people, counts):
    ticket = ticket_for(people["regular"])
    before = counts()
    response = client_for(people["regular"]).post(
        f"/api/v1/tickets/{ticket.pk}/replies/",
        {"body": "note", "visibility": "internal"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["visibility"][0]["code"] == "unknown_field"
    _nothing_stored(before)


def test_callback_bad_phone_and_staff_bad_input(people, counts):
    response = client_for(people["regular"]).post(
        "/api/v1/callbacks/", {"phone": "call me", "topic": "Billing"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["phone"][0]["code"] == "phone_invalid"
    ticket = ticket_for(people["regular"])
    staff = client_for(people["specialist"])
    assert (
        staff.post(
            f"/api/v1/staff/tickets/{ticket.pk}/assign/", {"assignee": "me"}, format="json"
        ).status_code
        == 400
    )
    assert (
        staff.post(
            f"/api/v1/staff/tickets/{ticket.pk}/assign/",
            {"assignee": people["regular"].pk},
            format="json",
        ).json()["error"]["fields"]["assignee"][0]["code"]
        == "not_staff"
    )
    response = staff.post(
        f"/api/v1/staff/tickets/{ticket.pk}/reclassify/",
        {"business_critical": False, "reason": ""},
        format="json",
    )
    assert response.json()["error"]["fields"]["reason"][0]["code"] == "required"
    assert staff.get("/api/v1/staff/tickets/?status=bogus").status_code == 400
    assert staff.get("/api/v1/staff/tickets/?assignee=someone").status_code == 400
    assert staff.get("/api/v1/staff/tickets/?updated_since=yesterday").status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.business_critical is False


def test_wrong_content_type_is_415(people):
    response = client_for(people["regular"]).post(
        "/api/v1/tickets/",
        "subject=S&description=D",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@override_settings(TICKET_RATE_LIMIT_PER_HOUR=2)
def test_the_ticket_services_rate_limit_holds_through_the_api(people):
    client = client_for(people["regular"])
    for _ in range(2):
        assert (
            client.post(
                "/api/v1/tickets/", {"subject": "S", "description": "D"}, format="json"
            ).status_code
            == 201
        )
    response = client.post("/api/v1/tickets/", {"subject": "S", "description": "D"}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert Ticket.objects.count() == 2


def test_errors_are_translated(people):
    client = client_for(people["regular"])
    for language, word in (("fr", "Saisissez"), ("ja", "件名")):
        response = client.post(
            "/api/v1/tickets/",
            {"subject": "", "description": "D"},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        error = response.json()["error"]
        assert error["fields"]["subject"][0]["code"] == "required"
        assert word in error["fields"]["subject"][0]["message"], error
        assert error["message"] != "Some fields are not valid."
