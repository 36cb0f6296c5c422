"""The schema generates without warnings and validates; every answer in the API tests
was checked against it (tests/api/conftest.py), and this file walks each operation
once, so that every path and method has been checked."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from chat.services import conversation_start
from helpdesk.callbacks.services import callback_request_create
from tests.api.conftest import EXERCISED, client_for, schema
from tests.factories import ticket_for
from tests.kb.factories import ArticleFactory


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    assert (tmp_path / "s.yaml").read_text().startswith("openapi: 3.1.0")


def test_schema_and_docs_are_served_from_our_own_files(api):
    assert (
        api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code
        == 200
    )
    page = api.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<style>" not in html and "<script>" not in html  # nothing inline: the CSP holds
    assert "https://" not in html
    script = api.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp


@override_settings(API_RATE_LIMIT_PER_MINUTE=1000)
def test_every_operation_answers_as_its_schema_says(people):
    regular, specialist, lead = people["regular"], people["specialist"], people["lead"]
    customer, staff, leads = client_for(regular), client_for(specialist), client_for(lead)
    ticket = customer.post(
        "/api/v1/tickets/", {"subject": "S", "description": "D"}, format="json"
    ).json()
    customer.post(f"/api/v1/tickets/{ticket['id']}/replies/", {"body": "More"}, format="json")
    customer.post(f"/api/v1/tickets/{ticket['id']}/solve/")
    customer.post(f"/api/v1/tickets/{ticket['id']}/reopen/")
    listing = customer.get("/api/v1/tickets/?page_size=1")
    etag = customer.get(f"/api/v1/tickets/{ticket['id']}/")["ETag"]
    assert (
        customer.get(f"/api/v1/tickets/{ticket['id']}/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    )
    assert listing.status_code == 200
    callback = customer.post(
        "/api/v1/callbacks/", {"phone": "+1 415 555 0100", "topic": "Call"}, format="json"
    ).json()
    customer.get("/api/v1/callbacks/")
    other, _ = callback_request_create(requester=regular, phone="+1 415 555 0101", topic="Other")
    customer.post(f"/api/v1/callbacks/{other.pk}/cancel/")
    chat, _ = conversation_start(customer=regular, topic="Login", body="Hello")
    customer.get("/api/v1/chats/")
    customer.get(f"/api/v1/chats/{chat.pk}/")
    customer.get("/api/v1/entitlement/")
    ArticleFactory(slug="guide")
    customer.get("/api/v1/kb/articles/?language=en")
    customer.get("/api/v1/kb/articles/guide/")
    leads.put(
        "/api/v1/kb/articles/new-guide/", {"title": "T", "summary": "S", "body": "B"}, format="json"
    )
    staff.get(
        "/api/v1/staff/tickets/?status=open&sla_state=unanswered&assignee=none&business_critical=false"
    )
    staff.get(f"/api/v1/staff/tickets/{ticket['id']}/")
    staff.post(f"/api/v1/staff/tickets/{ticket['id']}/replies/", {"body": "On it"}, format="json")
    staff.post(
        f"/api/v1/staff/tickets/{ticket['id']}/assign/", {"assignee": specialist.pk}, format="json"
    )
    critical = ticket_for(people["super_admin"])
    staff.post(
        f"/api/v1/staff/tickets/{critical.pk}/reclassify/",
        {"business_critical": True, "reason": "Outage"},
        format="json",
    )
    staff.post(f"/api/v1/staff/tickets/{ticket['id']}/solve/")
    staff.get("/api/v1/staff/callbacks/?status=waiting")
    staff.post(f"/api/v1/staff/callbacks/{callback['id']}/claim/")
    staff.post(
        f"/api/v1/staff/callbacks/{callback['id']}/attempts/",
        {"outcome": "reached", "note": "ok"},
        format="json",
    )
    staff.post(
        f"/api/v1/staff/callbacks/{callback['id']}/complete/", {"notes": "Done"}, format="json"
    )
    staff.get("/api/v1/staff/chats/")
    staff.get(f"/api/v1/staff/chats/{chat.pk}/")
    leads.get("/api/v1/staff/reports/sla/?period=month")
    declared = {
        (method, path)
        for path, operations in schema()["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert declared - EXERCISED == set()


@pytest.mark.parametrize("page_size", [1, 2])
def test_cursor_pagination_walks_every_ticket_once(people, page_size):
    for n in range(3):
        ticket_for(people["regular"], subject=f"T{n}")
    client = client_for(people["regular"])
    seen, url = [], f"/api/v1/tickets/?page_size={page_size}"
    while url:
        page = client.get(url).json()
        seen += [t["subject"] for t in page["results"]]
        url = page["next"]
    assert seen == ["T2", "T1", "T0"]


def test_etag_changes_when_the_ticket_does(people):
    ticket = ticket_for(people["regular"])
    client = client_for(people["regular"])
    first = client.get(f"/api/v1/tickets/{ticket.pk}/")
    assert first["Cache-Control"] == "private, no-cache"
    client.post(f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "More"}, format="json")
    again = client.get(f"/api/v1/tickets/{ticket.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_429_per_token_with_retry_after(people):
    first, second = client_for(people["regular"]), client_for(people["regular"])
    assert [first.get("/api/v1/entitlement/").status_code for _ in range(3)] == [200] * 3
    refused = first.get("/api/v1/entitlement/")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert second.get("/api/v1/entitlement/").status_code == 200  # another token: its own count
