"""The callback queue in the admin: what the callback services refuse is shown (on the
form, or as an action's error) and nothing changes."""

import pytest
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


def _press(client, callback, action, follow=True, **data):
    url = reverse(f"admin:callbacks_callbackrequest_{action}", args=[callback.pk])
    return client.post(url, data, follow=follow)


def test_a_specialist_claims_calls_and_completes_with_buttons(client):
    callback = _callback()
    agent = StaffFactory()
    client.force_login(agent)
    page = client.get(reverse("admin:callbacks_callbackrequest_change", args=[callback.pk]))
    body = page.content.decode()
    assert 'href="tel:+14155550101"' in body and "+1 415-555-0101" in body
    assert "Claim this callback" not in body  # no checkbox and Save any more

    shown = _messages(_press(client, callback, "claim"))
    assert f"You hold callback #{callback.pk}: call the customer now." in shown
    _press(client, callback, "attempt", outcome=CallbackOutcome.NO_ANSWER, note="Rang out")
    shown = _messages(_press(client, callback, "attempt", outcome=CallbackOutcome.REACHED))
    assert f"Call recorded on callback #{callback.pk}: Reached." in shown
    shown = _messages(_press(client, callback, "complete", notes="Reset their password"))
    assert f"Callback #{callback.pk} is completed." in shown
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.COMPLETED and callback.holder == agent
    assert callback.notes == "Reset their password"
    assert [(a.outcome, a.note) for a in callback.attempts.all()] == [
        ("no_answer", "Rang out"),
        ("reached", ""),
    ]
    shown = _messages(_press(client, callback, "ticket"))
    callback.refresh_from_db()
    assert f"Ticket #{callback.ticket_id} opened from callback #{callback.pk}." in shown


def test_the_list_offers_the_buttons_and_returns_to_the_list(client):
    waiting, held = _callback(), _callback()
    agent = StaffFactory()
    callbacks.callback_claim(callback=held, specialist=agent)
    client.force_login(agent)
    url = reverse("admin:callbacks_callbackrequest_changelist")
    body = client.get(url).content.decode()
    claim = reverse("admin:callbacks_callbackrequest_claim", args=[waiting.pk])
    assert f'formaction="{claim}?next=' in body
    assert reverse("admin:callbacks_callbackrequest_attempt", args=[held.pk]) in body
    assert 'data-waiting-since="' in body  # counted up live by waited.js
    response = client.post(f"{claim}?next={url}")
    assert response.status_code == 302 and response["Location"] == url
    waiting.refresh_from_db()
    assert waiting.holder == agent


def test_a_next_address_elsewhere_is_not_followed(client):
    callback = _callback()
    client.force_login(StaffFactory())
    url = reverse("admin:callbacks_callbackrequest_claim", args=[callback.pk])
    response = client.post(f"{url}?next=https://evil.example/")
    assert response["Location"] == reverse(
        "admin:callbacks_callbackrequest_change", args=[callback.pk]
    )


@pytest.mark.parametrize("action", ["attempt", "complete", "ticket"])
def test_a_specialist_cannot_work_a_callback_another_one_holds(client, action):
    callback = _callback()
    holder, other = StaffFactory(), StaffFactory()
    callbacks.callback_claim(callback=callback, specialist=holder)
    client.force_login(other)
    page = client.get(reverse("admin:callbacks_callbackrequest_change", args=[callback.pk]))
    assert "is on this call: only they can record calls on it" in page.content.decode()
    shown = _messages(_press(client, callback, action, outcome="no_answer", notes="Mine"))
    assert shown == [str(callbacks.HELD_BY_ANOTHER)]
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.IN_PROGRESS and callback.holder == holder
    assert not callback.attempts.exists() and callback.notes == "" and callback.ticket is None


def test_claiming_a_callback_another_specialist_took_meanwhile_says_so(client):
    callback = _callback()
    first, second = StaffFactory(), StaffFactory()
    callbacks.callback_claim(callback=callback, specialist=first)
    client.force_login(second)
    assert _messages(_press(client, callback, "claim")) == [str(callbacks.ALREADY_CLAIMED)]
    callback.refresh_from_db()
    assert callback.holder == first


def test_an_unknown_outcome_or_a_long_note_is_refused(client):
    callback = _callback()
    agent = StaffFactory()
    callbacks.callback_claim(callback=callback, specialist=agent)
    client.force_login(agent)
    shown = _messages(_press(client, callback, "attempt", outcome="hung_up"))
    assert shown == ["Choose how the call went."]
    shown = _messages(_press(client, callback, "attempt", outcome="reached", note="x" * 5001))
    assert shown == [str(callbacks.NOTE_TOO_LONG)]
    assert not callback.attempts.exists()


@pytest.mark.parametrize("action", ["claim", "attempt", "complete", "ticket"])
def test_forged_presses_by_a_customer_or_anonymous_change_nothing(client, action):
    callback = _callback()
    url = reverse(f"admin:callbacks_callbackrequest_{action}", args=[callback.pk])
    response = client.post(url, {"outcome": "reached"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(callback.requester)
    response = client.post(url, {"outcome": "reached"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.WAITING and callback.holder is None
    assert callback.ticket is None


def test_a_staff_clerk_without_the_specialist_role_is_refused(client):
    callback = _callback()
    clerk = UserFactory(account=None, role="", is_staff=True)
    client.force_login(clerk)  # no callback permission at all
    response = _press(client, callback, "claim", follow=False)
    assert response.status_code == 403
    clerk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="callbacks",
            codename__in=["view_callbackrequest", "change_callbackrequest"],
        )
    )
    assert _messages(_press(client, callback, "claim")) == [str(callbacks.STAFF_ONLY)]
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.WAITING


def test_a_get_does_nothing(client):
    callback = _callback()
    client.force_login(StaffFactory())
    url = reverse("admin:callbacks_callbackrequest_claim", args=[callback.pk])
    assert client.get(url).status_code == 405
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.WAITING


def test_notes_are_still_kept_with_save(client):
    callback = _callback()
    client.force_login(StaffFactory())
    response = _change(client, callback, notes="Prefers mornings")
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.notes == "Prefers mornings"


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
