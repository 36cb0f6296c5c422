"""The callback queue in the admin: what the callback services refuse is shown (on the
form, or as an action's error) and nothing changes."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from helpdesk.callbacks import services as callbacks
from helpdesk.callbacks.models import CallbackOutcome, CallbackStatus
from tests.factories import StaffFactory, SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db

INLINES = {
    f"{prefix}-{name}": value
    for prefix in ("attempts", "events")
    for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
}


def _callback():
    callback, _ = callbacks.callback_request_create(
        requester=SuperAdminFactory(), phone="+14155550101", topic="Login"
    )
    return callback


def _change(client, callback, **data):
    url = reverse("admin:callbacks_callbackrequest_change", args=[callback.pk])
    return client.post(url, {"notes": "", **INLINES, **data})


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_claiming_a_callback_another_specialist_took_meanwhile_is_a_form_error(client):
    """The page offered "claim" while the callback waited; another specialist claimed it
    before this post arrived."""
    callback = _callback()
    first, second = StaffFactory(), StaffFactory()
    callbacks.callback_claim(callback=callback, specialist=first)
    client.force_login(second)
    response = _change(client, callback, claim="on", notes="Calling now")
    assert response.status_code == 200
    assert str(callbacks.ALREADY_CLAIMED) in response.content.decode()
    assert not any("was changed successfully" in m for m in _messages(response))
    callback.refresh_from_db()
    assert callback.holder == first and callback.notes == ""
    assert not LogEntry.objects.filter(object_id=str(callback.pk)).exists()


def test_recording_a_call_on_a_callback_someone_else_holds_changes_nothing(client):
    callback = _callback()
    holder, other = StaffFactory(), StaffFactory()
    callbacks.callback_claim(callback=callback, specialist=holder)
    client.force_login(other)
    response = _change(client, callback, attempt_outcome=CallbackOutcome.NO_ANSWER, complete="on")
    assert response.status_code == 200
    assert str(callbacks.NOT_HOLDER) in response.content.decode()
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.IN_PROGRESS and not callback.attempts.exists()


def test_a_ticket_opened_with_a_refused_step_is_rolled_back(client):
    """Open a ticket and complete in one post, by a specialist who does not hold the
    callback: the ticket opened first is not kept."""
    callback = _callback()
    holder, other = StaffFactory(), StaffFactory()
    callbacks.callback_claim(callback=callback, specialist=holder)
    client.force_login(other)
    response = _change(client, callback, create_ticket="on", complete="on")
    assert response.status_code == 200
    assert str(callbacks.NOT_HOLDER) in response.content.decode()
    callback.refresh_from_db()
    assert callback.ticket is None and callback.status == CallbackStatus.IN_PROGRESS


def test_opening_a_ticket_in_the_admin_says_which(client):
    callback = _callback()
    agent = StaffFactory()
    callbacks.callback_claim(callback=callback, specialist=agent)
    client.force_login(agent)
    response = _change(client, callback, create_ticket="on", complete="on")
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.COMPLETED
    shown = _messages(client.get(response["Location"]))
    assert f"Ticket #{callback.ticket_id} opened." in shown


def test_the_claim_action_shows_each_refusal(client):
    taken, waiting = _callback(), _callback()
    callbacks.callback_claim(callback=taken, specialist=StaffFactory())
    clerk = UserFactory(account=None, role="", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="callbacks",
            codename__in=["view_callbackrequest", "change_callbackrequest"],
        )
    )
    client.force_login(clerk)
    response = client.post(
        reverse("admin:callbacks_callbackrequest_changelist"),
        {"action": "claim_selected", "_selected_action": [taken.pk, waiting.pk]},
        follow=True,
    )
    shown = _messages(response)
    assert f"#{waiting.pk}: {callbacks.STAFF_ONLY}" in shown
    assert f"#{taken.pk}: {callbacks.STAFF_ONLY}" in shown
    waiting.refresh_from_db()
    assert waiting.status == CallbackStatus.WAITING and waiting.holder is None
