"""Personal API tokens: made and shown once, hashed at rest, scoped, revoked, last use
recorded; the customer's page and the staff's admin."""

import hashlib

import pytest
import time_machine
from django.utils import timezone

from helpdesk.api import services
from helpdesk.api.models import ApiToken, TokenScope
from helpdesk.core.textclean import CONTROL_CHARACTERS
from helpdesk.tickets.models import Ticket
from tests.api.conftest import SchemaCheckedClient
from tests.factories import PASSWORD


def _bearer(plain: str) -> SchemaCheckedClient:
    client = SchemaCheckedClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_token_is_hashed_at_rest_and_works(people):
    token, plain = services.api_token_create(user=people["regular"], name="CRM", scope="write")
    assert plain.startswith(token.prefix + "_")
    secret = plain[len(token.prefix) + 1 :]
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = ApiToken.objects.values_list(flat=True)
    assert not any(
        secret in str(value) for row in ApiToken.objects.values() for value in row.values()
    )
    assert stored
    assert _bearer(plain).get("/api/v1/tickets/").status_code == 200


@pytest.mark.parametrize(
    "presented",
    ["pd_00000000_nope", "pd_short", "garbage", "pd_" + "x" * 200],
)
def test_unknown_or_malformed_token_is_401(people, presented):
    services.api_token_create(user=people["regular"], name="CRM", scope="write")
    response = _bearer(presented).get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_wrong_secret_with_a_real_prefix_is_401(people):
    token, plain = services.api_token_create(user=people["regular"], name="CRM", scope="write")
    assert _bearer(plain[:-2] + "xx").get("/api/v1/tickets/").status_code == 401


def test_revoked_token_is_401(people):
    token, plain = services.api_token_create(user=people["regular"], name="CRM", scope="write")
    services.api_token_revoke(token=token, actor=people["regular"])
    response = _bearer(plain).get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid"


def test_inactive_user_token_is_401(people):
    _token, plain = services.api_token_create(user=people["regular"], name="CRM", scope="write")
    people["regular"].is_active = False
    people["regular"].save()
    assert _bearer(plain).get("/api/v1/tickets/").status_code == 401


def test_read_scope_refuses_writes_with_403_and_stores_nothing(people):
    _token, plain = services.api_token_create(user=people["regular"], name="Status", scope="read")
    client = _bearer(plain)
    assert client.get("/api/v1/tickets/").status_code == 200
    response = client.post("/api/v1/tickets/", {"subject": "S", "description": "D"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_read_only"
    assert Ticket.objects.count() == 0


def test_last_use_is_recorded_at_most_once_a_minute(people):
    token, plain = services.api_token_create(user=people["regular"], name="CRM", scope="read")
    assert token.last_used_at is None
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False):
        _bearer(plain).get("/api/v1/entitlement/")
        token.refresh_from_db()
        assert token.last_used_at == timezone.now()
    with time_machine.travel("2026-03-02 10:00:30Z", tick=False):
        _bearer(plain).get("/api/v1/entitlement/")
        token.refresh_from_db()
        assert token.last_used_at.second == 0
    with time_machine.travel("2026-03-02 10:01:30Z", tick=False):
        _bearer(plain).get("/api/v1/entitlement/")
        token.refresh_from_db()
        assert token.last_used_at == timezone.now()


def test_a_user_revokes_only_their_own(people):
    token, _plain = services.api_token_create(user=people["regular"], name="CRM", scope="read")
    with pytest.raises(services.PermissionDenied):
        services.api_token_revoke(token=token, actor=people["super_admin"])


def test_name_goes_through_the_input_rule_and_the_cap_holds(people, monkeypatch):
    with pytest.raises(services.ValidationError) as exc:
        services.api_token_create(user=people["regular"], name=" \x07 ", scope="read")
    assert exc.value.message_dict == {"name": [str(CONTROL_CHARACTERS)]}
    with pytest.raises(services.ValidationError):
        services.api_token_create(user=people["regular"], name="x", scope="admin")
    monkeypatch.setattr(services, "ACTIVE_TOKENS_MAX", 1)
    services.api_token_create(user=people["regular"], name="one", scope="read")
    with pytest.raises(services.ValidationError):
        services.api_token_create(user=people["regular"], name="two", scope="read")
    assert ApiToken.objects.count() == 1


def test_customer_page_makes_a_token_shown_once_and_revokes_it(people, client):
    client.login(username=people["regular"].email, password=PASSWORD)
    assert client.get("/account/api-tokens/").status_code == 200
    response = client.post("/account/api-tokens/", {"name": "Status page", "scope": "read"})
    assert response.status_code == 201
    plain = response.context["new_token"]
    assert plain.encode() in response.content
    token = ApiToken.objects.get()
    assert (token.name, token.scope, token.user) == (
        "Status page",
        TokenScope.READ,
        people["regular"],
    )
    page = client.get("/account/api-tokens/")
    assert plain.encode() not in page.content  # never again
    assert token.prefix.encode() in page.content
    assert _bearer(plain).get("/api/v1/tickets/").status_code == 200
    client.post(f"/account/api-tokens/{token.pk}/revoke/")
    assert _bearer(plain).get("/api/v1/tickets/").status_code == 401


def test_customer_page_refuses_bad_input_and_other_users_tokens(people, client):
    other, _plain = services.api_token_create(user=people["super_admin"], name="x", scope="read")
    client.login(username=people["regular"].email, password=PASSWORD)
    response = client.post("/account/api-tokens/", {"name": "", "scope": "write"})
    assert response.status_code == 400
    assert client.post("/account/api-tokens/", {"name": "x", "scope": "root"}).status_code == 400
    assert client.post(f"/account/api-tokens/{other.pk}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.is_active and ApiToken.objects.count() == 1


def test_staff_make_their_token_in_the_admin(people, client):
    specialist = people["specialist"]
    client.force_login(specialist)
    response = client.post("/admin/api/apitoken/add/", {"name": "Console script", "scope": "write"})
    assert response.status_code == 201, response.content[:500]
    plain = response.context["plain"]
    token = ApiToken.objects.get()
    assert token.user == specialist and plain.startswith(token.prefix)
    assert _bearer(plain).get("/api/v1/staff/tickets/").status_code == 200
    # Another staff user's tokens are not in their list.
    lead_token, _ = services.api_token_create(user=people["lead"], name="lead", scope="read")
    listing = client.get("/admin/api/apitoken/")
    assert (
        b"Console script" in listing.content
        and b"lead" not in listing.content.split(b"<tbody>")[-1]
    )
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert _bearer(plain).get("/api/v1/staff/tickets/").status_code == 401
    assert client.get("/account/api-tokens/").status_code == 302  # staff: the admin
