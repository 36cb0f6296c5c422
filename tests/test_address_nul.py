"""A NUL in an admin link's path or query string is a 400 with a message, not a database
error in a changelist filter or a lookup."""

import pytest

from helpdesk.core.middleware import ADDRESS_CONTROL_CHARACTERS
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auditlog/logentry/?object_pk=%00",
        "/admin/auditlog/logentry/export/?object_pk=%00",
        "/admin/accounts/user/?email=%00",
        "/admin/accounts/user/?q=%00",
        "/admin/accounts/user/%00/change/",
    ],
)
def test_a_nul_in_the_address_is_a_clear_400(client, url):
    client.force_login(LeadFactory())
    response = client.get(url)
    assert response.status_code == 400
    assert response.content.decode() == str(ADDRESS_CONTROL_CHARACTERS)


def test_ordinary_addresses_pass(client):
    client.force_login(LeadFactory())
    assert client.get("/admin/accounts/user/?q=ada").status_code == 200
