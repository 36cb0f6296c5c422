"""Links to the admin pages of tickets, callbacks and articles from before they became
apps (admin/helpdesk/<model>/..., in emails already sent) still arrive."""

import pytest


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/helpdesk/ticket/42/change/", "/admin/tickets/ticket/42/change/"),
        ("/admin/helpdesk/ticket/?sla=breached", "/admin/tickets/ticket/?sla=breached"),
        (
            "/admin/helpdesk/callbackrequest/7/change/",
            "/admin/callbacks/callbackrequest/7/change/",
        ),
        ("/admin/helpdesk/helpquestion/report/", "/admin/kb/helpquestion/report/"),
    ],
)
def test_old_admin_addresses_redirect_to_the_models_app(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_other_old_admin_addresses_are_not_found(client):
    assert client.get("/admin/helpdesk/conversation/").status_code == 404
