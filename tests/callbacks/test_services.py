import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from helpdesk.callbacks import services as callbacks
from helpdesk.callbacks.models import CallbackOutcome, CallbackRequest, CallbackStatus
from helpdesk.tickets.models import TicketChannel
from sla.sweep import run_sweep
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 415 555 0101", "US", "+14155550101"),
        ("(415) 555-0101", "US", "+14155550101"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+33 1 42 68 53 00", "US", "+33142685300"),
        ("03-1234-5678", "JP", "+81312345678"),
    ],
)
def test_phone_numbers_are_stored_in_e164(raw, region, expected):
    assert callbacks.phone_normalise(raw=raw, region=region) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", callbacks.PHONE_REQUIRED),
        ("call me maybe", callbacks.PHONE_INVALID),
        ("+1 415 CALL NOW", callbacks.PHONE_INVALID),
        ("12", callbacks.PHONE_INVALID),
        ("+1 900 555 0199", callbacks.PHONE_PREMIUM_RATE),
        ("09065 123456", callbacks.PHONE_PREMIUM_RATE),  # UK premium rate
    ],
)
def test_bad_phone_numbers_get_clear_errors(raw, message):
    with pytest.raises(ValidationError) as exc:
        callbacks.phone_normalise(raw=raw, region="GB" if raw.startswith("09") else "US")
    assert exc.value.message_dict == {"phone": [message]}


def test_request_validates_everything_and_saves_nothing_on_error():
    admin = SuperAdminFactory()
    with pytest.raises(ValidationError) as exc:
        callbacks.callback_request_create(
            requester=admin, phone="nope", topic="  ", description="d" * 5001
        )
    assert exc.value.message_dict == {
        "phone": [callbacks.PHONE_INVALID],
        "topic": [callbacks.TOPIC_REQUIRED],
        "description": [callbacks.DESCRIPTION_TOO_LONG],
    }
    assert not CallbackRequest.objects.exists()


def test_double_submission_within_a_minute_gives_one_request():
    admin = SuperAdminFactory()
    first, created = callbacks.callback_request_create(
        requester=admin, phone="+1 415 555 0101", topic="SSO down"
    )
    again, created_again = callbacks.callback_request_create(
        requester=admin, phone="(415) 555-0101", topic="SSO  down"
    )
    assert created and not created_again and again.pk == first.pk
    with time_machine.travel(first.created_at + timedelta(minutes=2)):
        later, created_later = callbacks.callback_request_create(
            requester=admin, phone="+1 415 555 0101", topic="SSO down"
        )
    assert created_later and later.pk != first.pk


def test_customer_without_phone_channel_is_refused_on_the_server(client):
    client.force_login(UserFactory())  # no Premium Support
    response = client.post(
        reverse("callback_new"), {"phone": "+14155550101", "topic": "Help"}, **JSON
    )
    assert response.status_code == 403
    client.force_login(SuperAdminFactory())
    response = client.post(
        reverse("callback_new"),
        {"phone": "+14155550101", "topic": "Help"},
        HTTP_USER_AGENT="PremiumDeskMobile/2.0",
        **JSON,
    )
    assert response.status_code == 403
    assert not CallbackRequest.objects.exists()


def test_request_via_the_dialog_and_cancel_while_waiting(client):
    admin = SuperAdminFactory()
    client.force_login(admin)
    response = client.post(
        reverse("callback_new"), {"phone": "+1 415 555 0101", "topic": "Billing export"}, **JSON
    )
    assert response.status_code == 201
    assert "usually calls you back within five minutes" in response.json()["confirmation_html"]
    callback = CallbackRequest.objects.get()
    assert callback.phone == "+14155550101"
    assert callback.due_at - callback.created_at == timedelta(minutes=5)
    page = client.get(reverse("ticket_list")).content.decode()
    assert "Billing export" in page and "Cancel request" in page
    other = UserFactory(account=admin.account)
    client.force_login(other)
    assert client.post(reverse("callback_cancel", args=[callback.pk])).status_code == 404
    client.force_login(admin)
    client.post(reverse("callback_cancel", args=[callback.pk]))
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.CANCELLED and callback.sla_next_check_at is None


def test_three_failed_attempts_abandon_and_email_the_customer(django_capture_on_commit_callbacks):
    admin = SuperAdminFactory()
    agent = StaffFactory()
    callback, _ = callbacks.callback_request_create(
        requester=admin, phone="+14155550101", topic="Login"
    )
    callbacks.callback_claim(callback=callback, specialist=agent)
    with django_capture_on_commit_callbacks(execute=True):
        for outcome in (CallbackOutcome.NO_ANSWER, CallbackOutcome.VOICEMAIL):
            callbacks.callback_attempt_record(callback=callback, specialist=agent, outcome=outcome)
        callback.refresh_from_db()
        assert callback.status == CallbackStatus.IN_PROGRESS
        callbacks.callback_attempt_record(
            callback=callback, specialist=agent, outcome=CallbackOutcome.NO_ANSWER
        )
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.ABANDONED
    [email] = [m for m in mail.outbox if m.to == [admin.email]]
    assert "three times" in email.body


def test_only_the_holder_records_calls_and_completes():
    callback, _ = callbacks.callback_request_create(
        requester=SuperAdminFactory(), phone="+14155550101", topic="Login"
    )
    holder, other = StaffFactory(), StaffFactory()
    callbacks.callback_claim(callback=callback, specialist=holder)
    with pytest.raises(PermissionDenied):
        callbacks.callback_attempt_record(
            callback=callback, specialist=other, outcome=CallbackOutcome.REACHED
        )
    callbacks.callback_attempt_record(
        callback=callback, specialist=holder, outcome=CallbackOutcome.REACHED, note="Fixed"
    )
    ticket = callbacks.callback_to_ticket(callback=callback, specialist=holder)
    callbacks.callback_complete(callback=callback, specialist=holder, notes="All good")
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.COMPLETED and callback.ticket == ticket
    assert ticket.channel == TicketChannel.PHONE and "Fixed" in ticket.description


def test_second_claim_gets_a_clear_message():
    callback, _ = callbacks.callback_request_create(
        requester=SuperAdminFactory(), phone="+14155550101", topic="Login"
    )
    first, second = StaffFactory(), StaffFactory()
    callbacks.callback_claim(callback=callback, specialist=first)
    with pytest.raises(ValidationError) as exc:
        callbacks.callback_claim(callback=callback, specialist=second)
    assert exc.value.messages == [callbacks.ALREADY_CLAIMED]
    callback.refresh_from_db()
    assert callback.holder == first


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
)
def test_two_specialists_claiming_at_once_give_one_holder():
    callback, _ = callbacks.callback_request_create(
        requester=SuperAdminFactory(), phone="+14155550101", topic="Login"
    )
    specialists = [StaffFactory(), StaffFactory()]
    barrier = threading.Barrier(2)
    results = []

    def claim(specialist):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            callbacks.callback_claim(callback=callback, specialist=specialist)
            results.append("held")
        except ValidationError as exc:
            results.append(exc.messages[0])
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=claim, args=(s,)) for s in specialists]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(["held", callbacks.ALREADY_CLAIMED])


@pytest.mark.django_db(transaction=True)
def test_callback_not_started_in_five_minutes_alerts_leads_once_per_level():
    LeadFactory(email="lead@support.example")
    t0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False):
        callback, _ = callbacks.callback_request_create(
            requester=SuperAdminFactory(), phone="+14155550101", topic="Outage"
        )
    for minutes in (4.9, 5.1, 6, 35.5, 36):
        with time_machine.travel(t0 + timedelta(minutes=minutes), tick=False):
            run_sweep()
    callback.refresh_from_db()
    assert callback.breached_at == t0 + timedelta(minutes=5)
    assert callback.escalation_level == 2
    subjects = [m.subject for m in mail.outbox if m.to == ["lead@support.example"]]
    assert subjects == [
        "Callback escalation (level 1): 1 not started",
        "Callback escalation (level 2): 1 not started",
    ]
    assert list(callback.events.values_list("kind", "level")) == [
        ("warned", 0),
        ("breached", 1),
        ("escalated", 2),
    ]


def test_console_callback_panel_lists_waiting_callbacks_for_staff_only(client):
    admin = SuperAdminFactory()
    callbacks.callback_request_create(requester=admin, phone="+14155550101", topic="<b>Outage</b>")
    url = reverse("callback_queue_panel")
    client.force_login(admin)
    assert client.get(url).status_code == 404
    client.force_login(StaffFactory())
    page = client.get(url).content.decode()
    assert "&lt;b&gt;Outage&lt;/b&gt;" in page and "+1 415-555-0101" in page
