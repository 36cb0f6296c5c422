"""Rate limits that hold when requests arrive together: one atomic counter (add, then incr,
comparing the count the cache returns) for tickets, callbacks and chat starts."""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from chat import services as chat_services
from helpdesk.callbacks import services as callbacks
from helpdesk.callbacks.models import CallbackRequest, CallbackStatus
from helpdesk.core.ratelimit import rate_limit_give_back, rate_limit_take
from helpdesk.tickets import services
from helpdesk.tickets.models import Ticket, TicketChannel
from tests.factories import SuperAdminFactory

THREADS = 30
LIMIT = 20

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (SQLite serialises them); CI runs on PostgreSQL",
)


def _all_at_once(work: Callable[[int], None], count: int = THREADS) -> list[str]:
    """Run work(n) in `count` threads released together; what each one raised, if anything."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            work(n)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_the_counter_lets_exactly_the_limit_through_when_callers_arrive_together():
    results: list[bool] = []
    barrier = threading.Barrier(50)

    def run() -> None:
        barrier.wait()
        results.append(rate_limit_take(scope="test", ident="u1", limit=LIMIT))

    threads = [threading.Thread(target=run) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == LIMIT
    # A refused use is not counted, and a use given back frees one place.
    assert not rate_limit_take(scope="test", ident="u1", limit=LIMIT)
    rate_limit_give_back(scope="test", ident="u1")
    assert rate_limit_take(scope="test", ident="u1", limit=LIMIT)
    assert not rate_limit_take(scope="test", ident="u1", limit=LIMIT)
    # Another user, another count.
    assert rate_limit_take(scope="test", ident="u2", limit=LIMIT)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_ticket_submissions_stop_exactly_at_the_limit(settings, mailoutbox):
    settings.TICKET_RATE_LIMIT_PER_HOUR = LIMIT
    admin = SuperAdminFactory()

    def submit(n: int) -> None:
        services.ticket_create(
            requester=admin,
            channel=TicketChannel.EMAIL,
            subject=f"Export fails {n}",
            description="The export button spins forever.",
        )

    outcomes = _all_at_once(submit)
    assert outcomes.count("ok") == LIMIT
    assert outcomes.count(services.RATE_LIMITED) == THREADS - LIMIT
    assert Ticket.objects.filter(requester=admin).count() == LIMIT
    confirmations = [m for m in mailoutbox if "We received your request" in m.subject]
    assert len(confirmations) == LIMIT
    assert {m.to[0] for m in confirmations} == {admin.email}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_callback_requests_stop_exactly_at_the_limit(settings):
    settings.CALLBACK_RATE_LIMIT_PER_HOUR = LIMIT
    admin = SuperAdminFactory()

    def ask(n: int) -> None:
        callbacks.callback_request_create(
            requester=admin, phone="+1 415 555 0101", topic=f"Billing export {n}"
        )

    outcomes = _all_at_once(ask)
    assert outcomes.count("ok") == LIMIT
    assert outcomes.count(callbacks.RATE_LIMITED) == THREADS - LIMIT
    waiting = CallbackRequest.objects.filter(requester=admin, status=CallbackStatus.WAITING)
    assert waiting.count() == LIMIT


@pytest.mark.django_db
def test_a_resubmitted_callback_is_not_counted_and_a_failed_one_is_given_back(
    settings, monkeypatch
):
    settings.CALLBACK_RATE_LIMIT_PER_HOUR = 2
    admin = SuperAdminFactory()
    first, created = callbacks.callback_request_create(
        requester=admin, phone="+14155550101", topic="SSO down"
    )
    for _ in range(3):  # double clicks, two tabs: the same request, not counted
        again, created_again = callbacks.callback_request_create(
            requester=admin, phone="+14155550101", topic="SSO down"
        )
        assert not created_again and again.pk == first.pk

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr(CallbackRequest, "save", broken_save)
        with pytest.raises(RuntimeError):
            callbacks.callback_request_create(requester=admin, phone="+14155550101", topic="B")
    callbacks.callback_request_create(requester=admin, phone="+14155550101", topic="Second")
    with pytest.raises(ValidationError) as exc:
        callbacks.callback_request_create(requester=admin, phone="+14155550101", topic="Third")
    assert exc.value.messages == [callbacks.RATE_LIMITED]
    assert CallbackRequest.objects.filter(requester=admin).count() == 2
    # The limit is per hour: the next window accepts again.
    with time_machine.travel(timedelta(hours=1)):
        callbacks.callback_request_create(requester=admin, phone="+14155550101", topic="Third")


@pytest.mark.django_db
def test_chat_starts_are_limited_and_a_refused_start_is_not_counted(settings):
    settings.CHAT_START_RATE_LIMIT_PER_HOUR = 2
    customer = SuperAdminFactory()
    conversation, _ = chat_services.conversation_start(customer=customer, topic="A", body="a")
    for _ in range(3):  # one open chat each: refused, and not counted
        with pytest.raises(ValidationError) as exc:
            chat_services.conversation_start(customer=customer, topic="B", body="b")
        assert exc.value.messages == [chat_services.ALREADY_OPEN]
    chat_services.conversation_end(conversation_id=conversation.pk, actor=customer)
    conversation, _ = chat_services.conversation_start(customer=customer, topic="B", body="b")
    chat_services.conversation_end(conversation_id=conversation.pk, actor=customer)
    with pytest.raises(ValidationError) as exc:
        chat_services.conversation_start(customer=customer, topic="C", body="c")
    assert exc.value.messages == [chat_services.START_RATE_LIMITED]
    # Another customer has their own allowance.
    chat_services.conversation_start(customer=SuperAdminFactory(), topic="D", body="d")
