"""The permission matrix: every endpoint, forged by each kind of caller (anonymous,
regular user, super admin of the same account, another account's super admin,
specialist, lead), with the status each must get. Writes that are refused store nothing."""

import pytest

from chat.services import conversation_start
from helpdesk.callbacks.services import callback_request_create
from helpdesk.kb.models import Article
from helpdesk.tickets.models import Reply, Ticket
from tests.api.conftest import client_for
from tests.factories import ticket_for
from tests.kb.factories import ArticleFactory

ROLES = ("anonymous", "regular", "super_admin", "other_account", "specialist", "lead")


@pytest.fixture
def items(people):
    regular = people["regular"]
    ticket = ticket_for(regular)
    callback, _ = callback_request_create(
        requester=regular, phone="+1 415 555 0100", topic="Billing"
    )
    chat, _message = conversation_start(customer=regular, topic="Login", body="Hello")
    article = ArticleFactory(slug="export-guide")
    return {"ticket": ticket, "callback": callback, "chat": chat, "article": article}


def _new_callback(people):
    callback, _ = callback_request_create(
        requester=people["regular"], phone="+1 415 555 0101", topic="Another"
    )
    return callback


# (name, method, url, body, {role: status}); url and body may use the fixtures' ids.
CUSTOMER_ONLY = {
    "anonymous": 401,
    "other_account": 404,
    "specialist": 403,
    "lead": 403,
}
MATRIX = [
    (
        "tickets list",
        "get",
        "/api/v1/tickets/",
        None,
        {
            "anonymous": 401,
            "regular": 200,
            "super_admin": 200,
            "other_account": 200,
            "specialist": 403,
            "lead": 403,
        },
    ),
    (
        "ticket create",
        "post",
        "/api/v1/tickets/",
        {"subject": "New", "description": "Broken"},
        {
            "anonymous": 401,
            "regular": 201,
            "super_admin": 201,
            "other_account": 201,
            "specialist": 403,
            "lead": 403,
        },
    ),
    (
        "ticket read",
        "get",
        "/api/v1/tickets/{ticket}/",
        None,
        {**CUSTOMER_ONLY, "regular": 200, "super_admin": 200},
    ),
    (
        "ticket reply",
        "post",
        "/api/v1/tickets/{ticket}/replies/",
        {"body": "More"},
        {**CUSTOMER_ONLY, "regular": 201, "super_admin": 201},
    ),
    (
        "callbacks list",
        "get",
        "/api/v1/callbacks/",
        None,
        {
            "anonymous": 401,
            "regular": 200,
            "super_admin": 200,
            "other_account": 200,
            "specialist": 403,
            "lead": 403,
        },
    ),
    (
        "callback create",
        "post",
        "/api/v1/callbacks/",
        {"phone": "+1 415 555 0199", "topic": "Call me"},
        {
            "anonymous": 401,
            "regular": 201,
            "super_admin": 201,
            "other_account": 201,
            "specialist": 403,
            "lead": 403,
        },
    ),
    (
        "ticket solve",
        "post",
        "/api/v1/tickets/{ticket}/solve/",
        None,
        # Only the requester: their account's super admin may read it, not solve it.
        {**CUSTOMER_ONLY, "regular": 200, "super_admin": 404},
    ),
    (
        "ticket reopen",
        "post",
        "/api/v1/tickets/{ticket}/reopen/",
        None,
        # The ticket is open: the requester is told so; anyone else learns nothing.
        {**CUSTOMER_ONLY, "regular": 400, "super_admin": 404},
    ),
    (
        "callback cancel",
        "post",
        "/api/v1/callbacks/{callback}/cancel/",
        None,
        {**CUSTOMER_ONLY, "regular": 200, "super_admin": 200},
    ),
    (
        "chats list",
        "get",
        "/api/v1/chats/",
        None,
        {
            "anonymous": 401,
            "regular": 200,
            "super_admin": 200,
            "other_account": 200,
            "specialist": 403,
            "lead": 403,
        },
    ),
    (
        "chat read",
        "get",
        "/api/v1/chats/{chat}/",
        None,
        {**CUSTOMER_ONLY, "regular": 200, "super_admin": 200},
    ),
    (
        "entitlement",
        "get",
        "/api/v1/entitlement/",
        None,
        {
            "anonymous": 401,
            "regular": 200,
            "super_admin": 200,
            "other_account": 200,
            "specialist": 403,
            "lead": 403,
        },
    ),
    ("articles list", "get", "/api/v1/kb/articles/", None, dict.fromkeys(ROLES, 200)),
    ("article read", "get", "/api/v1/kb/articles/{article}/", None, dict.fromkeys(ROLES, 200)),
    (
        "article write",
        "put",
        "/api/v1/kb/articles/{article}/",
        {"title": "Export guide", "summary": "How to export.", "body": "Click Export."},
        {
            "anonymous": 401,
            "regular": 403,
            "super_admin": 403,
            "other_account": 403,
            "specialist": 403,
            "lead": 200,
        },
    ),
]
STAFF = {"anonymous": 401, "regular": 403, "super_admin": 403, "other_account": 403}
MATRIX += [
    (
        "staff tickets",
        "get",
        "/api/v1/staff/tickets/",
        None,
        {**STAFF, "specialist": 200, "lead": 200},
    ),
    (
        "staff ticket read",
        "get",
        "/api/v1/staff/tickets/{ticket}/",
        None,
        {**STAFF, "specialist": 200, "lead": 200},
    ),
    (
        "staff reply",
        "post",
        "/api/v1/staff/tickets/{ticket}/replies/",
        {"body": "Looking", "visibility": "internal"},
        {**STAFF, "specialist": 201, "lead": 201},
    ),
    (
        "staff assign",
        "post",
        "/api/v1/staff/tickets/{ticket}/assign/",
        {"assignee": None},
        {**STAFF, "specialist": 200, "lead": 200},
    ),
    (
        "staff reclassify",
        "post",
        "/api/v1/staff/tickets/{ticket}/reclassify/",
        {"business_critical": True, "reason": "Outage"},
        # a regular user's ticket cannot be business-critical: the service's 400
        {**STAFF, "specialist": 400, "lead": 400},
    ),
    (
        "staff solve",
        "post",
        "/api/v1/staff/tickets/{ticket}/solve/",
        None,
        {**STAFF, "specialist": 200, "lead": 200},
    ),
    (
        "staff callbacks",
        "get",
        "/api/v1/staff/callbacks/?status=waiting",
        None,
        {**STAFF, "specialist": 200, "lead": 200},
    ),
    (
        "staff claim",
        "post",
        "/api/v1/staff/callbacks/{callback}/claim/",
        None,
        {**STAFF, "specialist": 200, "lead": 200},
    ),
    (
        "staff attempt",
        "post",
        "/api/v1/staff/callbacks/{callback}/attempts/",
        {"outcome": "no_answer"},  # nobody holds it: the service refuses (not the holder)
        {**STAFF, "specialist": 400, "lead": 400},
    ),
    (
        "staff complete",
        "post",
        "/api/v1/staff/callbacks/{callback}/complete/",
        {},
        {**STAFF, "specialist": 400, "lead": 400},
    ),
    ("staff chats", "get", "/api/v1/staff/chats/", None, {**STAFF, "specialist": 200, "lead": 200}),
    (
        "staff chat read",
        "get",
        "/api/v1/staff/chats/{chat}/",
        None,
        {**STAFF, "specialist": 200, "lead": 200},
    ),
    (
        "sla report",
        "get",
        "/api/v1/staff/reports/sla/",
        None,
        {**STAFF, "specialist": 403, "lead": 200},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX]
)
def test_permission_matrix(people, items, role, name, method, url, body, expected):
    ids = {
        "ticket": items["ticket"].pk,
        "callback": items["callback"].pk,
        "chat": items["chat"].pk,
        "article": items["article"].slug,
    }
    counts = (Ticket.objects.count(), Reply.objects.count(), Article.objects.count())
    client = client_for(people[role])
    response = getattr(client, method)(url.format(**ids), body, format="json")
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if response.status_code >= 400:
        assert response.json()["error"]["code"]
        assert (Ticket.objects.count(), Reply.objects.count(), Article.objects.count()) == counts


def test_internal_notes_never_reach_customers(people, items, api):
    ticket = items["ticket"]
    client_for(people["specialist"]).post(
        f"/api/v1/staff/tickets/{ticket.pk}/replies/",
        {"body": "Secret note", "visibility": "internal"},
        format="json",
    )
    customer = client_for(people["regular"]).get(f"/api/v1/tickets/{ticket.pk}/").json()
    staff = client_for(people["specialist"]).get(f"/api/v1/staff/tickets/{ticket.pk}/").json()
    assert [r["body"] for r in customer["thread"]] == []
    assert [r["body"] for r in staff["thread"]] == ["Secret note"]


def test_super_admin_sees_the_account_regular_user_only_their_own(people, items):
    own = ticket_for(people["super_admin"], subject="Admin's own")
    regular = client_for(people["regular"]).get("/api/v1/tickets/").json()["results"]
    admin = client_for(people["super_admin"]).get("/api/v1/tickets/").json()["results"]
    other = client_for(people["other_account"]).get("/api/v1/tickets/").json()["results"]
    assert [t["id"] for t in regular] == [items["ticket"].pk]
    assert {t["id"] for t in admin} == {items["ticket"].pk, own.pk}
    assert other == []
    assert client_for(people["regular"]).get(f"/api/v1/tickets/{own.pk}/").status_code == 404


def test_staff_session_owing_a_second_factor_is_refused(people, settings):
    """Session auth is the browser's: a staff session without its second factor gets a
    403 on the API as on every page; the same user's token (made behind 2FA in the
    admin) is a separate credential and works."""
    settings.STAFF_REQUIRE_2FA = True
    specialist = people["specialist"]
    session = client_for(None)
    session.force_login(specialist)
    response = session.get("/api/v1/staff/tickets/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_factor_required"  # the middleware
    assert client_for(specialist).get("/api/v1/staff/tickets/").status_code == 200


def test_second_factor_checked_by_the_api_itself(people, settings):
    """Even without the middleware, the API's session authentication refuses."""
    settings.STAFF_REQUIRE_2FA = True
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "accounts.middleware.StaffSecondFactorMiddleware"
    ]
    session = client_for(None)
    session.force_login(people["specialist"])
    response = session.get("/api/v1/staff/tickets/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_factor_required"


def test_session_writes_need_the_csrf_token(people):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(people["regular"])
    response = browser.post("/api/v1/tickets/", {"subject": "S", "description": "D"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "CSRF" in response.json()["error"]["message"]
    assert Ticket.objects.count() == 0
    browser.get("/api/v1/tickets/")  # a read is fine
    assert browser.get("/api/v1/tickets/").status_code == 200


def test_the_requester_solves_and_reopens_and_nobody_else_can(people, items):
    ticket = items["ticket"]
    for role in ("super_admin", "other_account", "specialist"):
        client_for(people[role]).post(f"/api/v1/tickets/{ticket.pk}/solve/")
    ticket.refresh_from_db()
    assert ticket.status != "solved"
    owner = client_for(people["regular"])
    solved = owner.post(f"/api/v1/tickets/{ticket.pk}/solve/")
    assert solved.status_code == 200 and solved.json()["status"] == "solved"
    again = owner.post(f"/api/v1/tickets/{ticket.pk}/solve/")
    assert again.status_code == 400 and again.json()["error"]["code"] == "already_solved"
    reopened = owner.post(f"/api/v1/tickets/{ticket.pk}/reopen/")
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
