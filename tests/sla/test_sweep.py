import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings

from helpdesk.tickets import services
from helpdesk.tickets.models import Ticket, TicketEventKind
from sla.models import ResponseTimeException, SlaKind, SweepHealth
from sla.sweep import run_sweep, sweep_is_stale
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday, 14:00 UTC


@pytest.fixture
def staff():
    return StaffFactory(email="agent@support.example"), LeadFactory(email="lead@support.example")


def at(minutes: float):
    return time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)


def sweep_at(minutes: float) -> dict:
    with at(minutes):
        return run_sweep()


def events(ticket: Ticket, kind: TicketEventKind) -> list:
    return list(ticket.events.filter(kind=kind).order_by("created_at"))


def lead_mails() -> list:
    return [m for m in mail.outbox if m.to == ["lead@support.example"]]


def agent_mails() -> list:
    return [m for m in mail.outbox if m.to == ["agent@support.example"]]


def test_warning_is_sent_once_at_75_percent(staff):
    with at(0):
        ticket = ticket_for(SuperAdminFactory())
    mail.outbox.clear()
    assert sweep_at(44)["ticket"] == 0
    assert sweep_at(45)["ticket"] == 1
    sweep_at(46)
    sweep_at(50)
    assert len(events(ticket, TicketEventKind.WARNED)) == 1
    warnings = [m for m in agent_mails() if m.subject.startswith("Deadline warning")]
    assert len(warnings) == 1  # unassigned: the specialists
    assert f"#{ticket.pk}" in warnings[0].body


def test_warning_goes_to_the_assignee_when_assigned(staff):
    agent, lead = staff
    other = StaffFactory(email="other@support.example")
    with at(0):
        ticket = ticket_for(SuperAdminFactory())
        services.ticket_assign(ticket=ticket, assignee=other, actor=lead)
    mail.outbox.clear()
    sweep_at(46)
    assert [m.to for m in mail.outbox] == [["other@support.example"]]


def test_breach_is_dated_at_the_deadline_and_notifies_leads(staff):
    with at(0):
        ticket = ticket_for(SuperAdminFactory(), business_critical=True)
    mail.outbox.clear()
    sweep_at(29.9)
    ticket.refresh_from_db()
    assert ticket.breached_at is None
    sweep_at(30.5)
    ticket.refresh_from_db()
    assert ticket.breached_at == T0 + timedelta(minutes=30)
    assert ticket.escalation_level == 1
    [breach] = events(ticket, TicketEventKind.BREACHED)
    assert breach.created_at == ticket.due_at
    [email] = lead_mails()
    assert "level 1" in email.subject and f"#{ticket.pk}" in email.body


def test_further_levels_every_interval_until_a_public_reply(staff):
    agent, _ = staff
    with at(0):
        ticket = ticket_for(SuperAdminFactory())
    sweep_at(61)
    sweep_at(89)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1
    sweep_at(90)
    sweep_at(91)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2
    sweep_at(120)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 3
    with at(125):
        services.ticket_reply(ticket=ticket, author=agent, body="Sorry", visibility="public")
    sweep_at(150)
    sweep_at(500)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 3
    assert len(events(ticket, TicketEventKind.ESCALATED)) == 2
    subjects = [m.subject for m in lead_mails()]
    assert subjects == [
        "SLA escalation (level 1): 1 ticket(s)",
        "SLA escalation (level 2): 1 ticket(s)",
        "SLA escalation (level 3): 1 ticket(s)",
    ]


@override_settings(SLA_ESCALATION_INTERVAL_MINUTES=10)
def test_interval_is_configurable(staff):
    with at(0):
        ticket = ticket_for(SuperAdminFactory(), business_critical=True)
    sweep_at(30)
    sweep_at(40)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2


def test_exception_recorded_after_submission_makes_the_ticket_exempt(staff):
    with at(0):
        ticket = ticket_for(SuperAdminFactory())
    assert ticket.sla_kind == SlaKind.GUARANTEED
    exception = ResponseTimeException.objects.create(
        starts_at=T0 + timedelta(minutes=10), ends_at=T0 + timedelta(hours=3), reason="INC-7 outage"
    )
    mail.outbox.clear()
    sweep_at(61)
    sweep_at(200)
    ticket.refresh_from_db()
    assert ticket.sla_kind == SlaKind.EXEMPT
    assert ticket.sla_exception == exception
    assert ticket.breached_at is None and ticket.escalation_level == 0
    [event] = events(ticket, TicketEventKind.EXEMPT)
    assert event.reason == "INC-7 outage"
    assert lead_mails() == []


def test_exception_for_another_account_does_not_apply(staff):
    with at(0):
        ticket = ticket_for(SuperAdminFactory())
    ResponseTimeException.objects.create(
        starts_at=T0,
        ends_at=T0 + timedelta(hours=3),
        reason="Other customer's maintenance",
        account=UserFactory().account,
    )
    sweep_at(61)
    ticket.refresh_from_db()
    assert ticket.breached_at is not None and ticket.sla_kind == SlaKind.GUARANTEED


def test_regular_users_ticket_is_overdue_against_target_at_level_1_only(staff):
    admin = SuperAdminFactory()
    with at(0):
        ticket = ticket_for(UserFactory(account=admin.account))
    assert ticket.sla_kind == SlaKind.TARGET
    due_minutes = (ticket.due_at - T0).total_seconds() / 60
    sweep_at(due_minutes + 1)
    sweep_at(due_minutes + 600)
    ticket.refresh_from_db()
    assert ticket.breached_at == ticket.due_at and ticket.escalation_level == 1
    assert len(events(ticket, TicketEventKind.OVERDUE)) == 1
    assert not events(ticket, TicketEventKind.BREACHED)
    [email] = lead_mails()
    assert "overdue against the one-business-day target" in email.body


def test_worker_down_across_the_deadline_catches_up_without_skipping_or_doubling(staff):
    with at(0):
        ticket = ticket_for(SuperAdminFactory())
    mail.outbox.clear()
    # Nothing ran between submission and 2 h 10 min later.
    sweep_at(130)
    ticket.refresh_from_db()
    assert ticket.breached_at == T0 + timedelta(hours=1)
    assert ticket.escalation_level == 3  # deadline, +30, +60
    history = [(e.kind, e.created_at) for e in ticket.events.exclude(kind="created")]
    assert history == [
        (TicketEventKind.BREACHED, T0 + timedelta(minutes=60)),
        (TicketEventKind.ESCALATED, T0 + timedelta(minutes=90)),
        (TicketEventKind.ESCALATED, T0 + timedelta(minutes=120)),
    ]
    assert [m.subject for m in lead_mails()] == ["SLA escalation (level 3): 1 ticket(s)"]
    sweep_at(131)
    assert len(lead_mails()) == 1


def test_sweep_health_and_stale_warning(staff, client):
    assert sweep_is_stale() is None  # never ran
    sweep_at(0)
    with at(1):
        assert sweep_is_stale() is False
    with at(2):  # 3 intervals of 30 s
        assert sweep_is_stale() == SweepHealth.objects.get().last_run_at
    _, lead = staff
    client.force_login(lead)
    with at(5):
        page = client.get("/admin/").content.decode()
    assert "The SLA sweep has not run for" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
@override_settings(TICKET_RATE_LIMIT_PER_HOUR=1000)
def test_two_concurrent_sweeps_notify_each_ticket_once(staff):
    admin = SuperAdminFactory()
    with at(0):
        tickets = [ticket_for(admin, subject=f"T{i}") for i in range(40)]
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    results = []

    def worker():
        from django.db import connection as thread_connection

        try:
            with at(61):
                barrier.wait()
                results.append(run_sweep())
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["ticket"] for r in results) == 40
    for ticket in tickets:
        assert len(events(ticket, TicketEventKind.BREACHED)) == 1
    notified = "".join(m.body for m in lead_mails())
    for ticket in tickets:
        assert notified.count(f"#{ticket.pk} ") == 1


@override_settings(CHAT_WAIT_LIMIT_SECONDS=120)
def test_a_chat_waiting_past_its_limit_alerts_the_leads_through_the_same_sweep(staff):
    from chat.models import Conversation
    from chat.services import conversation_start, message_store

    with at(0):
        conversation, _ = conversation_start(
            customer=SuperAdminFactory(), topic="Dashboards down", body="Hello?"
        )
    assert conversation.due_at == T0 + timedelta(minutes=2)
    mail.outbox.clear()
    sweep_at(1.9)
    sweep_at(2.1)
    conversation.refresh_from_db()
    assert conversation.breached_at == T0 + timedelta(minutes=2)
    assert conversation.escalation_level == 1
    [email] = lead_mails()
    assert email.subject == "Chat wait escalation (level 1): 1 chat(s) unanswered"
    # A specialist's first message stops the clock: no further level.
    agent, _ = staff
    from chat.services import conversation_accept

    with at(3):
        conversation_accept(conversation_id=conversation.pk, specialist=agent)
        message_store(conversation_id=conversation.pk, sender=agent, items=[("Here!", "")])
    sweep_at(200)
    conversation = Conversation.objects.get(pk=conversation.pk)
    assert conversation.answered_at == T0 + timedelta(minutes=3)
    assert conversation.escalation_level == 1
    assert len(lead_mails()) == 1
