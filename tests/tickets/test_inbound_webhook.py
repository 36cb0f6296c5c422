"""Mailgun's inbound route posting to the portal: its real payload (a multipart form with
the raw message in `body-mime`, as a route that forwards to a URL ending in "mime"
sends it) with Mailgun's signature, good and bad."""

import hashlib
import hmac
import time

import pytest
from django.urls import reverse

from helpdesk.tickets.mail import reply_address
from helpdesk.tickets.models import InboundEmail, InboundOutcome, InboundReason, Ticket
from tests.email.messages import QUOTED, email_bytes
from tests.factories import SuperAdminFactory, ticket_for

pytestmark = pytest.mark.django_db

KEY = "key-0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def _mailgun(settings):
    settings.INBOUND_MAILGUN_SIGNING_KEY = KEY
    settings.SUPPORT_EMAIL_ADDRESS = "support@premiumdesk.example"


def mailgun_post(raw: bytes, *, key: str = KEY, **fields: str) -> dict[str, str]:
    timestamp, token = str(int(time.time())), "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "recipient": "support@premiumdesk.example",
        "sender": "ada@example.com",
        "from": "Ada <ada@example.com>",
        "subject": "Re: your ticket",
        "body-mime": raw.decode(),
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
        **fields,
    }


def test_a_signed_post_becomes_a_reply(client, django_capture_on_commit_callbacks):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    raw = email_bytes(
        sender=requester.email, to=reply_address(ticket.pk), body="Logs attached." + QUOTED
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("inbound_mailgun"), mailgun_post(raw))
    assert response.status_code == 200
    assert ticket.replies.get().body.startswith("Logs attached.")
    row = InboundEmail.objects.get()
    assert (row.transport, row.outcome) == ("mailgun", InboundOutcome.REPLY)


def test_a_new_ticket_arrives_by_the_webhook(client, django_capture_on_commit_callbacks):
    requester = SuperAdminFactory()
    raw = email_bytes(sender=requester.email, subject="Cannot log in")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("inbound_mailgun"), mailgun_post(raw)).status_code == 200
    assert Ticket.objects.get().subject == "Cannot log in"


@pytest.mark.parametrize(
    "forge",
    [
        {"key": "key-not-the-right-one"},
        {"signature": "0" * 64},
        {"timestamp": "1"},  # signed for another time
    ],
)
def test_a_badly_signed_post_is_refused_and_changes_nothing(client, forge):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    raw = email_bytes(sender=requester.email, to=reply_address(ticket.pk))
    key = forge.pop("key", KEY)
    response = client.post(reverse("inbound_mailgun"), mailgun_post(raw, key=key, **forge))
    assert response.status_code == 400
    assert not ticket.replies.exists() and not InboundEmail.objects.exists()


def test_a_refused_message_is_still_accepted_by_the_endpoint(client):
    raw = email_bytes(sender="stranger@elsewhere.example")
    response = client.post(reverse("inbound_mailgun"), mailgun_post(raw))
    assert response.status_code == 200  # a 4xx/5xx would only make Mailgun send it again
    assert InboundEmail.objects.get().reason == InboundReason.UNKNOWN_SENDER


def test_without_a_signing_key_the_endpoint_does_not_exist(client, settings):
    settings.INBOUND_MAILGUN_SIGNING_KEY = ""
    raw = email_bytes(sender="stranger@elsewhere.example")
    assert client.post(reverse("inbound_mailgun"), mailgun_post(raw, key="")).status_code == 404
    assert client.get(reverse("inbound_mailgun")).status_code == 404
    assert not InboundEmail.objects.exists()
