from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from helpdesk.tickets import services
from helpdesk.tickets.models import Ticket
from sla.reports import attainment_report
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


@pytest.fixture
def known_week():
    """Week of 16 Nov 2026: 4 standard tickets (replies at 10, 20, 50 min and one at
    90 min: late), 1 business-critical breached and unanswered, 1 exempt, 1 regular
    answered in 2 h; plus a standard ticket the next week."""
    admin = SuperAdminFactory()
    agent = StaffFactory()
    replies = [10, 20, 50, 90]
    for minutes in replies:
        with time_machine.travel(MONDAY, tick=False):
            ticket = ticket_for(admin)
        with time_machine.travel(MONDAY + timedelta(minutes=minutes), tick=False):
            services.ticket_reply(ticket=ticket, author=agent, body="hi", visibility="public")
    with time_machine.travel(MONDAY, tick=False):
        ticket_for(admin, business_critical=True)
        exempt = ticket_for(admin)
    Ticket.objects.filter(pk=exempt.pk).update(sla_kind="exempt")
    with time_machine.travel(MONDAY, tick=False):
        regular = ticket_for(UserFactory(account=admin.account))
    with time_machine.travel(MONDAY + timedelta(hours=2), tick=False):
        services.ticket_reply(ticket=regular, author=agent, body="hi", visibility="public")
    with time_machine.travel(MONDAY + timedelta(days=7), tick=False):
        ticket_for(admin)


def test_weekly_figures_on_a_known_data_set(known_week):
    now = MONDAY + timedelta(days=7, minutes=5)
    rows = attainment_report(period="week", since=MONDAY, now=now)
    table = {(r.period.isoformat(), r.kind): r for r in rows}
    standard = table[("2026-11-16", "Super admin, standard")]
    assert (standard.items, standard.met, standard.breached, standard.exempt) == (5, 3, 1, 1)
    assert standard.percent_met == 75.0
    assert standard.median_minutes == 35.0  # of 10, 20, 50, 90
    assert standard.p90_minutes == 90.0
    critical = table[("2026-11-16", "Super admin, business-critical")]
    assert (critical.items, critical.breached, critical.percent_met) == (1, 1, 0.0)
    assert critical.median_minutes is None
    regular = table[("2026-11-16", "Regular user, target")]
    assert (regular.items, regular.met, regular.median_minutes) == (1, 1, 120.0)
    next_week = table[("2026-11-23", "Super admin, standard")]
    assert (next_week.items, next_week.pending) == (1, 1)


def test_monthly_report_and_csv_for_leads_only(known_week, client):
    client.force_login(StaffFactory())
    url = reverse("admin:tickets_slaattainmentreport_changelist")
    assert client.get(url).status_code == 403
    client.force_login(LeadFactory())
    with time_machine.travel(MONDAY + timedelta(days=8), tick=False):
        page = client.get(url, {"period": "month"})
        csv = client.get(url, {"period": "month", "format": "csv"})
    assert page.status_code == 200 and "November 2026" in page.content.decode()
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("month,kind,items,met,breached,exempt,pending,% met")
    # By then the next week's ticket is unanswered past its deadline too.
    assert '2026-11-01,"Super admin, standard",6,3,2,1,0,60.0,35.0,90.0' in lines


def test_callback_response_times_are_in_the_report():
    from helpdesk.callbacks import services as callbacks

    admin = SuperAdminFactory()
    agent = StaffFactory()
    for minutes in (2, 7):
        with time_machine.travel(MONDAY, tick=False):
            callback, _ = callbacks.callback_request_create(
                requester=admin, phone="+14155550101", topic=f"Call {minutes}"
            )
        with time_machine.travel(MONDAY + timedelta(minutes=minutes), tick=False):
            callbacks.callback_claim(callback=callback, specialist=agent)
    rows = attainment_report(period="week", since=MONDAY, now=MONDAY + timedelta(hours=1))
    [row] = [r for r in rows if r.kind == "Callback request"]
    assert (row.items, row.met, row.breached, row.percent_met) == (2, 1, 1, 50.0)
    assert row.median_minutes == 4.5 and row.p90_minutes == 7.0
