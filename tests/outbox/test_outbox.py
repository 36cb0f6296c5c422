"""The outbox: a side effect is written with its change, delivered once per key, retried
with backoff, stopped when it keeps failing, and retried by a lead from the admin."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from helpdesk.core.outbox import services
from helpdesk.core.outbox.models import OutboxMessage, OutboxStatus
from helpdesk.core.outbox.selectors import outbox_backlog
from helpdesk.core.outbox.services import outbox_enqueue, outbox_handler, outbox_relay
from tests.factories import LeadFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

delivered: list[str] = []
failures: dict[str, int] = {}


@outbox_handler("test.record")
def _record(*, name: str, slow: float = 0) -> None:
    if failures.get(name, 0) > 0:
        failures[name] -= 1
        raise OSError(f"mail server refused {name}")
    time.sleep(slow)
    delivered.append(name)


@pytest.fixture(autouse=True)
def _reset(settings):
    delivered.clear()
    failures.clear()
    settings.OUTBOX_KICK_GRACE_SECONDS = 0
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_MAX_ATTEMPTS = 3


def enqueue(name: str, **payload) -> None:
    outbox_enqueue(kind="test.record", key=f"test:{name}", payload={"name": name, **payload})


def test_a_side_effect_is_delivered_after_its_change_commits_and_not_after_a_rollback():
    with transaction.atomic():
        enqueue("kept")
        assert delivered == []  # nothing leaves before the commit
    assert delivered == ["kept"]
    assert OutboxMessage.objects.get(key="test:kept").status == OutboxStatus.SENT

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("rolled-back")
        raise RuntimeError
    assert not OutboxMessage.objects.filter(key="test:rolled-back").exists()
    assert outbox_relay() == 0
    assert delivered == ["kept"]


def test_the_same_key_is_one_delivery_whatever_repeats_it():
    enqueue("once")
    enqueue("once")
    assert outbox_relay() == 0
    services.outbox_deliver(keys=["test:once"])
    assert delivered == ["once"]
    assert OutboxMessage.objects.count() == 1


def test_an_unknown_kind_is_refused_when_written():
    with pytest.raises(LookupError):
        outbox_enqueue(kind="test.typo", key="k", payload={})
    assert not OutboxMessage.objects.exists()


def test_a_failing_delivery_backs_off_then_stops_for_a_lead():
    failures["flaky"] = 10
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        enqueue("flaky")
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.FAILED and row.attempts == 1
    assert row.last_error == "OSError: mail server refused flaky"
    assert row.next_attempt_at == start + timedelta(seconds=30)
    with time_machine.travel(start + timedelta(seconds=29), tick=False):
        assert outbox_relay() == 0  # not due yet
    row.refresh_from_db()
    assert row.attempts == 1
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        outbox_relay()
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at == start + timedelta(seconds=31 + 60)
    with time_machine.travel(start + timedelta(seconds=92), tick=False):
        outbox_relay()
    row.refresh_from_db()
    assert row.status == OutboxStatus.STOPPED and row.next_attempt_at is None
    with time_machine.travel(start + timedelta(days=1), tick=False):
        assert outbox_relay() == 0  # stopped rows wait for a person
    assert delivered == []
    assert outbox_backlog().stopped == 1


def test_a_delivery_that_recovers_is_sent_once():
    failures["blip"] = 1
    enqueue("blip")
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert outbox_relay() == 1
        assert outbox_relay() == 0
    assert delivered == ["blip"]


def test_an_interrupted_delivery_is_not_sent_again_by_itself(settings):
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 300
    with transaction.atomic():
        enqueue("crashed")
        # A relay claimed it, then its worker died: the claim stays behind.
        OutboxMessage.objects.update(status=OutboxStatus.SENDING, claimed_at=timezone.now())
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        outbox_relay()
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.STOPPED
    assert row.last_error == services.INTERRUPTED
    assert delivered == []


def test_sent_rows_are_forgotten_after_the_retention(settings):
    settings.OUTBOX_KEEP_SENT_DAYS = 7
    enqueue("old")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        outbox_relay()
    assert not OutboxMessage.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_two_relays_at_once_deliver_each_row_once():
    with transaction.atomic():
        for n in range(40):
            # Written while the broker is away: the kick after commit reaches nobody.
            OutboxMessage.objects.create(
                kind="test.record",
                key=f"test:{n}",
                payload={"name": str(n), "slow": 0.005},
                next_attempt_at=timezone.now(),
            )
    barrier = threading.Barrier(2)
    counts = []

    def relay() -> None:
        barrier.wait()
        try:
            counts.append(outbox_relay())
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(delivered, key=int) == [str(n) for n in range(40)]
    assert sum(counts) == 40
    assert all(c > 0 for c in counts)  # both relays took part


def test_a_lead_sees_the_backlog_and_retries_a_stopped_row(client):
    failures["stuck"] = 3
    enqueue("stuck")
    for _ in range(2):
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        outbox_relay()
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.STOPPED
    enqueue_waiting = OutboxMessage.objects.create(
        kind="test.record",
        key="test:waiting",
        payload={"name": "waiting"},
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )
    client.force_login(LeadFactory())
    page = client.get(reverse("admin:outbox_outboxmessage_changelist")).content.decode()
    assert "1 delivery waiting" in page
    assert "1 stopped and needs a decision" in page
    detail = client.get(reverse("admin:outbox_outboxmessage_change", args=[row.pk]))
    assert "OSError: mail server refused stuck" in detail.content.decode()
    assert "Retry now" in detail.content.decode()

    response = client.post(reverse("admin:outbox_outboxmessage_retry", args=[row.pk]), follow=True)
    assert "1 delivery queued again." in response.content.decode()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and delivered == ["stuck"]

    # A sent row is never sent again: Retry refuses it and says so.
    response = client.post(
        reverse("admin:outbox_outboxmessage_changelist"),
        {"action": "retry", "_selected_action": [row.pk, enqueue_waiting.pk]},
        follow=True,
    )
    assert "Only stopped or failed deliveries can be retried" in response.content.decode()
    assert delivered == ["stuck"]


def test_a_specialist_cannot_see_or_retry_and_nobody_edits_a_row(client):
    failures["stuck"] = 5
    enqueue("stuck")
    OutboxMessage.objects.update(status=OutboxStatus.STOPPED)
    row = OutboxMessage.objects.get()
    client.force_login(StaffFactory())
    assert client.get(reverse("admin:outbox_outboxmessage_changelist")).status_code == 403
    forged = client.post(reverse("admin:outbox_outboxmessage_retry", args=[row.pk]))
    assert forged.status_code == 403
    row.refresh_from_db()
    assert row.status == OutboxStatus.STOPPED

    client.force_login(LeadFactory())
    change = client.post(reverse("admin:outbox_outboxmessage_change", args=[row.pk]), {"key": "x"})
    assert change.status_code == 403
    delete = client.post(reverse("admin:outbox_outboxmessage_delete", args=[row.pk]))
    assert delete.status_code == 403
    assert OutboxMessage.objects.get().key == "test:stuck"


def test_the_backlog_reads_in_french(client):
    OutboxMessage.objects.create(
        kind="test.record", key="test:fr", payload={"name": "fr"}, next_attempt_at=timezone.now()
    )
    client.force_login(LeadFactory())
    page = client.get(
        reverse("admin:outbox_outboxmessage_changelist"), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "1 envoi en attente" in page and "Envois sortants" in page
