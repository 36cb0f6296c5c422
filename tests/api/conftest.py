"""API test fixtures: the six kinds of caller, tokens for them, and a client that checks
every answer against the generated OpenAPI schema (and records which operations ran)."""

import json
import re
from functools import cache

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from rest_framework.test import APIClient

from helpdesk.api.models import TokenScope
from helpdesk.api.services import api_token_create
from tests.factories import (
    LeadFactory,
    PremiumAccountFactory,
    StaffFactory,
    SuperAdminFactory,
    UserFactory,
)

# Every (method, path template) answered in this run, for the coverage check.
EXERCISED: set[tuple[str, str]] = set()


@cache
def schema() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


@cache
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(schema())


def _template_for(path: str) -> str | None:
    for template in schema()["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path):
            return template
    return None


class SchemaCheckedClient(APIClient):
    """Each answer from /api/v1/ must match the schema: status declared, body valid."""

    def request(self, **kwargs):
        response = super().request(**kwargs)
        path = response.wsgi_request.path
        if path.startswith("/api/v1/") and not path.startswith("/api/v1/schema/"):
            template = _template_for(path)
            assert template, f"{path} is not in the schema"
            method = response.wsgi_request.method.lower()
            operation = schema()["paths"][template].get(method)
            if operation is not None:  # a 405 for an undeclared method is DRF's own
                assert str(response.status_code) in operation["responses"], (
                    f"{method.upper()} {template} answered {response.status_code}, "
                    f"not in the schema: {response.content[:300]!r}"
                )
                if response.status_code != 304:
                    openapi().validate_response(
                        DjangoOpenAPIRequest(response.wsgi_request),
                        DjangoOpenAPIResponse(response),
                    )
                EXERCISED.add((method, template))
        return response


@pytest.fixture
def api():
    return SchemaCheckedClient()


def client_for(user, scope: str = TokenScope.WRITE) -> SchemaCheckedClient:
    client = SchemaCheckedClient()
    if user is not None:
        _token, plain = api_token_create(user=user, name="test", scope=scope)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


@pytest.fixture
def people(db):
    """anonymous, regular user, super admin (same account), other account's super admin,
    specialist, lead."""
    account = PremiumAccountFactory()
    return {
        "anonymous": None,
        "regular": UserFactory(account=account),
        "super_admin": SuperAdminFactory(account=account),
        "other_account": SuperAdminFactory(),
        "specialist": StaffFactory(),
        "lead": LeadFactory(),
    }
