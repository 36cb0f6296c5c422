"""The audit log of the SLA records leads change: the business calendar (hours,
holidays) and response-time exceptions, each with who, the client's address and
old → new."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.audit_admin import entry_changes
from sla.models import BusinessCalendar, Holiday, ResponseTimeException
from tests.admin_forms import admin_form_data
from tests.audit_helpers import CLIENT, FORGED, mark, since
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_proxy(settings):
    settings.TRUSTED_PROXIES = 1


def test_a_lead_changing_the_business_calendar_is_recorded(client):
    before = mark()
    calendar = BusinessCalendar.objects.create(name="Support hours", business_day_minutes=480)
    [created] = since(before)
    # The calendar's own fields, not its reverse relations (hours, holidays) or its id.
    assert set(created.changes) == {"name", "time_zone", "is_default", "business_day_minutes"}
    lead = LeadFactory()
    client.force_login(lead)
    url = reverse("admin:sla_businesscalendar_change", args=[calendar.pk])
    data = admin_form_data(
        client.get(url),
        business_day_minutes="420",
        **{
            "holidays-TOTAL_FORMS": "1",
            "holidays-0-date": "2026-12-25",
            "holidays-0-name": "Christmas Day",
        },
    )
    before = mark()
    response = client.post(url, data, **FORGED)
    assert response.status_code == 302
    changed, holiday_added = since(before)
    for entry in (changed, holiday_added):
        assert entry.actor == lead and entry.remote_addr == CLIENT
    assert changed.object_repr == "Support hours"
    assert entry_changes(changed) == ["Length of one business day (minutes): 480 → 420"]
    assert holiday_added.object_pk == str(Holiday.objects.get(calendar=calendar).pk)
    assert {"Calendar: Support hours", "Name: Christmas Day"} <= set(entry_changes(holiday_added))


def test_a_response_time_exception_recorded_by_a_lead_is_audited(client):
    lead = LeadFactory()
    client.force_login(lead)
    start = timezone.localtime().replace(microsecond=0)
    before = mark()
    response = client.post(
        reverse("admin:sla_responsetimeexception_add"),
        {
            "starts_at_0": f"{start:%Y-%m-%d}",
            "starts_at_1": f"{start:%H:%M:%S}",
            "ends_at_0": f"{start + timedelta(hours=2):%Y-%m-%d}",
            "ends_at_1": f"{start + timedelta(hours=2):%H:%M:%S}",
            "reason": "Declared incident: mail relay down",
            "account": "",
        },
        **FORGED,
    )
    assert response.status_code == 302
    exception = ResponseTimeException.objects.get()
    [entry] = since(before)
    assert entry.object_pk == str(exception.pk)
    assert entry.actor == lead and entry.remote_addr == CLIENT
    lines = entry_changes(entry)
    assert "Reason: Declared incident: mail relay down" in lines
    assert f"Created by: {lead.email}" in lines
    assert not any(line.startswith("Recorded") for line in lines)
