"""The SLA records in the admin: the business calendar, its hours and holidays, and
response-time exceptions are changed and deleted by the SLA services. A service's
refusal is shown and nothing is kept; a forged deletion is refused."""

from datetime import date, time, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from sla import services
from sla.models import BusinessCalendar, BusinessHours, Holiday, ResponseTimeException
from tests.admin_forms import admin_form_data
from tests.factories import LeadFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _calendar() -> BusinessCalendar:
    calendar = BusinessCalendar.objects.create(name="New York", time_zone="America/New_York")
    BusinessHours.objects.create(calendar=calendar, weekday=0, opens=time(9), closes=time(17))
    Holiday.objects.create(calendar=calendar, date=date(2027, 1, 1), name="New Year's Day")
    return calendar


def _exception() -> ResponseTimeException:
    now = timezone.now()
    return ResponseTimeException.objects.create(
        starts_at=now, ends_at=now + timedelta(hours=1), reason="Declared incident"
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _superuser():
    return UserFactory(account=None, role="", is_staff=True, is_superuser=True)


def test_a_lead_adds_a_calendar_with_holidays_through_the_services(client):
    lead = LeadFactory()
    client.force_login(lead)
    add = reverse("admin:sla_businesscalendar_add")
    data = admin_form_data(
        client.get(add),
        name="Paris",
        time_zone="Europe/Paris",
        business_day_minutes="420",
        **{
            "holidays-TOTAL_FORMS": "1",
            "holidays-0-date": "2027-07-14",
            "holidays-0-name": "Fête nationale",
        },
    )
    assert client.post(add, data).status_code == 302
    calendar = BusinessCalendar.objects.get(name="Paris")
    assert calendar.business_day_minutes == 420
    assert [(h.date, h.name) for h in calendar.holidays.all()] == [
        (date(2027, 7, 14), "Fête nationale")
    ]
    assert LogEntry.objects.filter(object_id=str(calendar.pk), user=lead).exists()


def test_a_refused_holiday_keeps_nothing_of_the_post(client, monkeypatch):
    """The holiday service refuses (as it would a rule the form does not know): the error
    is on the row, and the calendar's own change in the same post is not kept either."""
    calendar = _calendar()

    def refuse(**kwargs):
        raise ValidationError({"name": "Refused by the service."})

    monkeypatch.setattr(services, "holiday_save", refuse)
    client.force_login(LeadFactory())
    url = reverse("admin:sla_businesscalendar_change", args=[calendar.pk])
    data = admin_form_data(
        client.get(url), name="New York (renamed)", **{"holidays-0-name": "Jour de l'an"}
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Refused by the service." in response.content.decode()
    assert not any("changed successfully" in m for m in _messages(response))
    calendar.refresh_from_db()
    assert calendar.name == "New York"
    assert calendar.holidays.get().name == "New Year's Day"
    assert not LogEntry.objects.filter(object_id=str(calendar.pk)).exists()


def test_a_refused_calendar_change_is_a_form_error(client, monkeypatch):
    calendar = _calendar()

    def refuse(**kwargs):
        raise PermissionDenied(services.CALENDAR_NOT_ALLOWED)

    monkeypatch.setattr(services, "business_calendar_save", refuse)
    client.force_login(LeadFactory())
    url = reverse("admin:sla_businesscalendar_change", args=[calendar.pk])
    response = client.post(url, admin_form_data(client.get(url), name="Renamed"))
    assert response.status_code == 200
    assert str(services.CALENDAR_NOT_ALLOWED) in response.content.decode()
    calendar.refresh_from_db()
    assert calendar.name == "New York"


def test_a_lead_deletes_a_holiday_row(client):
    calendar = _calendar()
    client.force_login(LeadFactory())
    url = reverse("admin:sla_businesscalendar_change", args=[calendar.pk])
    data = admin_form_data(client.get(url), **{"holidays-0-DELETE": "on"})
    assert client.post(url, data).status_code == 302
    assert not calendar.holidays.exists()


def test_a_refused_holiday_deletion_is_shown_and_the_row_kept(client, monkeypatch):
    calendar = _calendar()

    def refuse(**kwargs):
        raise PermissionDenied(services.CALENDAR_NOT_ALLOWED)

    monkeypatch.setattr(services, "holiday_delete", refuse)
    client.force_login(LeadFactory())
    url = reverse("admin:sla_businesscalendar_change", args=[calendar.pk])
    response = client.post(url, admin_form_data(client.get(url), **{"holidays-0-DELETE": "on"}))
    assert response.status_code == 200
    assert str(services.CALENDAR_NOT_ALLOWED) in response.content.decode()
    assert calendar.holidays.exists()


def test_the_calendar_services_check_the_actors_rights():
    calendar = _calendar()
    specialist, lead = StaffFactory(), LeadFactory()
    with pytest.raises(PermissionDenied):
        services.holiday_save(
            holiday=Holiday(calendar=calendar),
            actor=specialist,
            day=date(2027, 12, 25),
            name="Christmas",
        )
    with pytest.raises(PermissionDenied):
        # Leads keep holidays and the calendar's settings; its hours are the superusers'.
        services.business_hours_delete(hours=calendar.hours.get(), actor=lead)
    with pytest.raises(PermissionDenied):
        services.business_calendar_delete(calendar=calendar, actor=lead)
    assert calendar.hours.exists() and BusinessCalendar.objects.filter(pk=calendar.pk).exists()


def test_a_forged_calendar_deletion_by_a_lead_is_refused(client):
    calendar = _calendar()
    client.force_login(LeadFactory())
    url = reverse("admin:sla_businesscalendar_delete", args=[calendar.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:sla_businesscalendar_changelist"),
        {"action": "delete_selected", "_selected_action": [calendar.pk], "post": "yes"},
    )
    assert BusinessCalendar.objects.filter(pk=calendar.pk).exists()


def test_a_superuser_deletes_a_calendar_through_the_service(client):
    calendar = _calendar()
    client.force_login(_superuser())
    url = reverse("admin:sla_businesscalendar_delete", args=[calendar.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not BusinessCalendar.objects.filter(pk=calendar.pk).exists()
    assert not Holiday.objects.exists()


def test_a_lead_deletes_exceptions_in_bulk(client):
    exceptions = [_exception(), _exception()]
    client.force_login(LeadFactory())
    response = client.post(
        reverse("admin:sla_responsetimeexception_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [e.pk for e in exceptions],
            "post": "yes",
        },
        follow=True,
    )
    assert "Successfully deleted 2 response-time exceptions." in _messages(response)
    assert not ResponseTimeException.objects.exists()
    assert LogEntry.objects.filter(object_repr__startswith="Declared incident").count() == 2


def test_a_forged_exception_deletion_by_a_specialist_is_refused(client):
    exception = _exception()
    specialist = StaffFactory()
    client.force_login(specialist)
    url = reverse("admin:sla_responsetimeexception_delete", args=[exception.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:sla_responsetimeexception_changelist"),
        {"action": "delete_selected", "_selected_action": [exception.pk], "post": "yes"},
    )
    assert ResponseTimeException.objects.filter(pk=exception.pk).exists()
    with pytest.raises(PermissionDenied, match=str(services.EXCEPTION_DELETE_NOT_ALLOWED)):
        services.response_time_exception_delete(exception=exception, actor=specialist)


def test_a_refused_deletion_says_why_and_deletes_and_logs_nothing(client, monkeypatch):
    exception = _exception()

    def refuse(**kwargs):
        raise ValidationError("Refused by the service.")

    monkeypatch.setattr(services, "response_time_exception_delete", refuse)
    client.force_login(LeadFactory())
    url = reverse("admin:sla_responsetimeexception_delete", args=[exception.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert "Refused by the service." in _messages(response)
    assert not any("deleted successfully" in m for m in _messages(response))
    assert ResponseTimeException.objects.filter(pk=exception.pk).exists()
    assert not LogEntry.objects.filter(object_id=str(exception.pk)).exists()

    # The bulk action: the refused row is named, nothing deleted or logged.
    response = client.post(
        reverse("admin:sla_responsetimeexception_changelist"),
        {"action": "delete_selected", "_selected_action": [exception.pk], "post": "yes"},
        follow=True,
    )
    assert f"{exception}: Refused by the service." in _messages(response)
    assert ResponseTimeException.objects.filter(pk=exception.pk).exists()
    assert not LogEntry.objects.filter(object_id=str(exception.pk)).exists()
