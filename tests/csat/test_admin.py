"""The leads' satisfaction report on a known data set: per week, kind and specialist,
one grouped query, with CSV; specialists and customers cannot open it."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from helpdesk.csat.models import RatedKind, Survey
from helpdesk.csat.selectors import csat_report
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory

pytestmark = pytest.mark.django_db
URL = "admin:csat_csatreport_changelist"


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def known():
    """Week of 16 Nov: Ann's tickets 5, 4, 1 and Bob's chat 3; week of 23 Nov: Ann's
    chat 5; one survey asked and never answered (not counted)."""
    ann = StaffFactory(full_name="Ann Agent")
    bob = StaffFactory(full_name="Bob Agent")
    customer = SuperAdminFactory()
    rows = [
        (RatedKind.TICKET, ann, 5, 16),
        (RatedKind.TICKET, ann, 4, 17),
        (RatedKind.TICKET, ann, 1, 20),
        (RatedKind.CHAT, bob, 3, 18),
        (RatedKind.CHAT, ann, 5, 24),
    ]
    for n, (kind, specialist, rating, day) in enumerate(rows, start=1):
        Survey.objects.create(
            kind=kind,
            item_id=n,
            customer=customer,
            specialist=specialist,
            asked_at=_at(day),
            rating=rating,
            first_rated_at=_at(day),
            rated_at=_at(day),
        )
    Survey.objects.create(kind=RatedKind.TICKET, item_id=99, customer=customer, specialist=bob)


def test_the_report_groups_by_week_kind_and_specialist(known, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = csat_report()
    assert [
        (r.week.isoformat(), r.kind, r.specialist, r.answers, r.average, r.satisfied_percent)
        for r in rows
    ] == [
        ("2026-11-23", "Chat", "Ann Agent", 1, 5.0, 100.0),
        ("2026-11-16", "Chat", "Bob Agent", 1, 3.0, 0.0),
        ("2026-11-16", "Ticket", "Ann Agent", 3, 3.33, 66.7),
    ]


def test_a_lead_reads_it_and_downloads_the_csv(client, known):
    client.force_login(LeadFactory())
    page = client.get(reverse(URL))
    assert page.status_code == 200
    assert "Ann Agent" in page.content.decode()
    response = client.get(reverse(URL) + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["week", "kind", "specialist", "answers", "average", "% satisfied"]
    assert table[3] == ["2026-11-16", "Ticket", "Ann Agent", "3", "3.33", "66.7"]


def test_specialists_and_customers_cannot_open_it(client, known):
    for user in (StaffFactory(), SuperAdminFactory()):
        client.force_login(user)
        for suffix in ("", "?format=csv"):
            response = client.get(reverse(URL) + suffix)
            assert response.status_code in (302, 403)
            assert b"Ann Agent" not in response.content
