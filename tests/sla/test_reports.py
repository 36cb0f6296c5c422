"""The SLA attainment report: its outcome per item (stopped clocks are not breaches),
grouped by the database per period and kind or per specialist, its CSV and who may
open it. Run on SQLite and on PostgreSQL (the percentiles take different paths)."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from chat import services as chat
from chat.models import Conversation
from helpdesk.callbacks import services as callbacks
from helpdesk.tickets import services
from helpdesk.tickets.models import Ticket, TicketStatus
from sla.reports import BY_SPECIALIST, attainment_report, percentile_cont
from sla.sweep import run_sweep
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
URL = "admin:tickets_slaattainmentreport_changelist"


def _at(moment, fn, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return fn(*args, **kwargs)


def _reply(monday, ticket, agent, minutes):
    _at(
        monday + timedelta(minutes=minutes),
        services.ticket_reply,
        ticket=ticket,
        author=agent,
        body="hi",
        visibility="public",
    )


def build_known_week(monday, *, ada=None, bob=None):
    """A week from `monday` (all at its 10:00 unless said), standard tickets:
    answered at 10 and 20 min by Ada, late at 90 min by Bob, solved by the customer at
    5 min unanswered (stopped), breached by the sweep then solved by the customer
    (breached), exempt, and one submitted a minute before `now` (pending).
    Chats: answered by Ada at 30 s, left by the customer at 10 s (stopped), left at
    3 min, after the 2-minute limit (breached, though no sweep marked it).
    Callbacks: claimed by Bob at 2 min, cancelled by the customer at 1 min (stopped)."""
    admin = SuperAdminFactory()
    ada = ada or StaffFactory(full_name="Ada Lovelace")
    bob = bob or StaffFactory(full_name="Bob Marley")
    for minutes, agent in ((10, ada), (20, ada), (90, bob)):
        ticket = _at(monday, ticket_for, admin)
        services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
        _reply(monday, ticket, agent, minutes)
    solved_early = _at(monday, ticket_for, admin)
    _at(
        monday + timedelta(minutes=5),
        services.ticket_solve_by_customer,
        ticket=solved_early,
        customer=admin,
    )
    breached_then_solved = _at(monday, ticket_for, admin)
    exempt = _at(monday, ticket_for, admin)
    Ticket.objects.filter(pk=exempt.pk).update(sla_kind="exempt")

    answered, _ = _at(monday, chat.conversation_start, customer=admin, topic="A", body="hi")
    _at(
        monday + timedelta(seconds=30),
        chat.conversation_accept,
        conversation_id=answered.pk,
        specialist=ada,
    )
    _at(
        monday + timedelta(seconds=30),
        chat.message_store,
        conversation_id=answered.pk,
        sender=ada,
        items=[("Hello", "")],
    )
    for seconds in (10, 180):
        customer = UserFactory(account=admin.account, role="super_admin")
        left, _ = _at(monday, chat.conversation_start, customer=customer, topic="B", body="hi")
        _at(
            monday + timedelta(seconds=seconds),
            chat.conversation_end,
            conversation_id=left.pk,
            actor=customer,
        )

    claimed, _ = _at(
        monday, callbacks.callback_request_create, requester=admin, phone="+14155550101", topic="C"
    )
    _at(monday + timedelta(minutes=2), callbacks.callback_claim, callback=claimed, specialist=bob)
    cancelled, _ = _at(
        monday, callbacks.callback_request_create, requester=admin, phone="+14155550102", topic="D"
    )
    _at(monday + timedelta(minutes=1), callbacks.callback_cancel, callback=cancelled, actor=admin)

    # The sweep marks the unanswered ticket breached at its deadline; it is solved after.
    run_sweep(now=monday + timedelta(hours=3))
    assert Ticket.objects.get(pk=breached_then_solved.pk).breached_at is not None
    _at(
        monday + timedelta(hours=4),
        services.ticket_solve_by_customer,
        ticket=breached_then_solved,
        customer=admin,
    )
    _at(monday + timedelta(days=1), ticket_for, admin)
    return {"ada": ada, "bob": bob}


@pytest.fixture
def known_week():
    """The week of 16 Nov 2026."""
    return build_known_week(MONDAY)


NOW = MONDAY + timedelta(days=1, minutes=1)


def _table(rows):
    return {(r.period.isoformat(), r.specialist, r.kind): r for r in rows}


def _counts(row):
    return (row.items, row.met, row.breached, row.stopped, row.exempt, row.pending)


def test_stopped_clocks_are_their_own_column_not_breaches(known_week):
    table = _table(attainment_report(period="week", since=MONDAY, now=NOW))
    standard = table[("2026-11-16", "", "Super admin, standard")]
    assert _counts(standard) == (7, 2, 2, 1, 1, 1)
    assert standard.percent_met == 50.0
    # PERCENTILE_CONT over the 10, 20 and 90 minute first replies.
    assert (standard.median_minutes, standard.p90_minutes) == (20.0, 76.0)
    chats = table[("2026-11-16", "", "Waiting chat")]
    assert _counts(chats) == (3, 1, 1, 1, 0, 0)
    assert chats.median_minutes == 0.5
    calls = table[("2026-11-16", "", "Callback request")]
    assert _counts(calls) == (2, 1, 0, 1, 0, 0)
    assert calls.percent_met == 100.0


def test_a_clock_stopped_after_its_deadline_without_a_sweep_is_still_breached(known_week):
    left_late = Conversation.objects.get(topic="B", ended_at=MONDAY + timedelta(seconds=180))
    assert left_late.breached_at is None  # no sweep ran while it waited
    ticket = _at(MONDAY, ticket_for, SuperAdminFactory())
    _at(
        MONDAY + timedelta(hours=2),
        services.ticket_solve_by_customer,
        ticket=ticket,
        customer=ticket.requester,
    )
    table = _table(attainment_report(period="week", since=MONDAY, now=NOW))
    assert _counts(table[("2026-11-16", "", "Super admin, standard")])[2:4] == (3, 1)


def test_reopened_ticket_runs_again_and_is_decided_by_its_own_clock():
    admin = SuperAdminFactory()
    ticket = _at(MONDAY, ticket_for, admin)
    _at(
        MONDAY + timedelta(minutes=5),
        services.ticket_solve_by_customer,
        ticket=ticket,
        customer=admin,
    )
    assert Ticket.objects.get(pk=ticket.pk).resolved_at == MONDAY + timedelta(minutes=5)
    _at(
        MONDAY + timedelta(minutes=10),
        services.ticket_reopen_by_customer,
        ticket=ticket,
        customer=admin,
    )
    assert Ticket.objects.get(pk=ticket.pk).resolved_at is None
    [row] = attainment_report(period="week", since=MONDAY, now=MONDAY + timedelta(days=1))
    assert (row.stopped, row.breached) == (0, 1)


def test_closing_a_solved_ticket_keeps_the_time_its_clock_stopped():
    admin = SuperAdminFactory()
    lead = LeadFactory()
    ticket = _at(MONDAY, ticket_for, admin)
    _at(
        MONDAY + timedelta(minutes=5),
        services.ticket_solve_by_customer,
        ticket=ticket,
        customer=admin,
    )
    _at(
        MONDAY + timedelta(days=3),
        services.ticket_set_status,
        ticket=ticket,
        status=TicketStatus.CLOSED,
        actor=lead,
    )
    assert Ticket.objects.get(pk=ticket.pk).resolved_at == MONDAY + timedelta(minutes=5)
    [row] = attainment_report(period="week", since=MONDAY, now=MONDAY + timedelta(days=4))
    assert row.stopped == 1


def test_per_specialist_rows(known_week):
    rows = attainment_report(period="week", by=BY_SPECIALIST, since=MONDAY, now=NOW)
    table = _table(rows)
    ada = table[("2026-11-16", "Ada Lovelace", "Super admin, standard")]
    assert _counts(ada) == (2, 2, 0, 0, 0, 0) and ada.median_minutes == 15.0
    assert _counts(table[("2026-11-16", "Ada Lovelace", "Waiting chat")]) == (1, 1, 0, 0, 0, 0)
    bob = table[("2026-11-16", "Bob Marley", "Super admin, standard")]
    assert _counts(bob) == (1, 0, 1, 0, 0, 0) and bob.p90_minutes == 90.0
    assert _counts(table[("2026-11-16", "Bob Marley", "Callback request")]) == (1, 1, 0, 0, 0, 0)
    nobody = table[("2026-11-16", "Unassigned", "Super admin, standard")]
    assert _counts(nobody) == (4, 0, 1, 1, 1, 1)
    # Newest period first; within it specialists by name, the unassigned last.
    this_week = [r.specialist for r in rows if r.period.isoformat() == "2026-11-16"]
    assert this_week == sorted(this_week, key=lambda s: (s == "Unassigned", s))
    assert this_week[-1] == "Unassigned" and rows[0].period.isoformat() == "2026-11-16"


@override_settings(TIME_ZONE="Asia/Tokyo")
def test_periods_start_in_the_reporting_time_zone():
    # Sunday 20:00 UTC is Monday 05:00 in Tokyo: that week, not the one before.
    sunday_evening = datetime(2026, 11, 15, 20, 0, tzinfo=UTC)
    _at(sunday_evening, ticket_for, SuperAdminFactory())
    [row] = attainment_report(period="week", since=sunday_evening, now=MONDAY)
    assert row.period.isoformat() == "2026-11-16"
    [row] = attainment_report(period="month", since=sunday_evening, now=MONDAY)
    assert row.period.isoformat() == "2026-11-01"


def test_percentile_cont_interpolates_like_postgresql():
    assert percentile_cont([], 0.5) is None
    assert percentile_cont([10.0], 0.9) == 10.0
    assert percentile_cont([10.0, 20.0, 50.0, 90.0], 0.5) == 35.0
    assert percentile_cont([10.0, 20.0, 50.0, 90.0], 0.9) == pytest.approx(78.0)


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_page_and_csv_keep_every_column(known_week, client):
    client.force_login(LeadFactory())
    url = reverse(URL)
    with time_machine.travel(NOW, tick=False):
        page = client.get(url, {"period": "month"})
        by_kind = _csv(client.get(url, {"period": "month", "format": "csv"}))
        by_specialist = _csv(
            client.get(url, {"period": "week", "by": "specialist", "format": "csv"})
        )
    html = page.content.decode()
    assert page.status_code == 200 and "November 2026" in html and ">Stopped<" in html
    assert by_kind[0] == [
        "month",
        "kind",
        "items",
        "met",
        "breached",
        "stopped",
        "exempt",
        "pending",
        "% met",
        "median first reply (min)",
        "p90 first reply (min)",
    ]
    rows = {line[1]: line for line in by_kind[1:]}
    assert rows["Super admin, standard"][2:8] == ["7", "2", "2", "1", "1", "1"]
    assert rows["Waiting chat"] == ["2026-11-01", "Waiting chat", "3", "1", "1", "1", "0", "0"] + [
        "50.0",
        "0.5",
        "0.5",
    ]
    assert by_specialist[0][:3] == ["week", "specialist", "kind"]
    assert [
        "2026-11-16",
        "Ada Lovelace",
        "Super admin, standard",
        "2",
        "2",
        "0",
        "0",
        "0",
        "0",
        "100.0",
        "15.0",
        "19.0",
    ] in by_specialist


def test_per_specialist_page_shows_the_column(known_week, client):
    client.force_login(LeadFactory())
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse(URL), {"by": "specialist"})
    html = page.content.decode()
    assert '<th scope="col">Specialist</th>' in html and "Ada Lovelace" in html


@pytest.mark.parametrize("who", ["specialist", "customer", "anonymous"])
def test_only_leads_open_the_report_or_its_csv(client, who):
    if who == "specialist":
        client.force_login(StaffFactory())
    elif who == "customer":
        client.force_login(SuperAdminFactory())
    url = reverse(URL)
    for params in ({}, {"format": "csv"}, {"by": "specialist", "format": "csv"}):
        response = client.get(url, params)
        if who == "specialist":
            assert response.status_code == 403
        else:
            # The admin sends everyone who is not staff to its login page.
            assert response.status_code == 302 and "/login/" in response["Location"]
            assert not response.content.startswith(b"week")


def test_api_gives_the_stopped_column_and_per_specialist_rows(known_week, client):
    client.force_login(LeadFactory())
    with time_machine.travel(NOW, tick=False):
        response = client.get("/api/v1/staff/reports/sla/", {"by": "specialist"})
    assert response.status_code == 200
    data = response.json()
    assert data["by"] == "specialist"
    nobody = [r for r in data["rows"] if r["specialist"] == "Unassigned"]
    assert {r["kind"]: r["stopped"] for r in nobody} == {
        "Super admin, standard": 1,
        "Callback request": 1,
        "Waiting chat": 1,
    }


def test_report_page_in_french(known_week, client):
    lead = LeadFactory(language="fr")
    client.force_login(lead)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse(URL), {"by": "specialist"}, HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert "Arrêtés" in html and "par spécialiste" in html and "Non assignés" in html
