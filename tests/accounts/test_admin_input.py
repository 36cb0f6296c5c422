"""The one input rule in the admin forms that have no form of their own: accounts, the
users inline, purchase references, business calendars and holidays."""

import pytest
from django.urls import reverse

from accounts.models import Account, User
from helpdesk.core.textclean import CONTROL_CHARACTERS
from tests.admin_forms import admin_form_data
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db

RLO, PDF = "\u202e", "\u202c"


def test_an_account_name_loses_bidi_overrides_and_refuses_control_characters(client):
    client.force_login(LeadFactory())
    add = reverse("admin:accounts_account_add")
    data = admin_form_data(client.get(add), name=f"{RLO}Evil Corp{PDF}", country="US")
    assert client.post(add, data).status_code == 302
    assert Account.objects.filter(name="Evil Corp").exists()

    data = admin_form_data(client.get(add), name="Ctl\x01Corp", country="US")
    response = client.post(add, data)
    assert response.status_code == 200
    assert str(CONTROL_CHARACTERS) in response.content.decode()
    assert not Account.objects.filter(name__contains="Ctl").exists()


def test_the_users_inline_applies_the_rule_like_the_user_form(client):
    customer = UserFactory(full_name="Ada Admin")
    client.force_login(LeadFactory())
    url = reverse("admin:accounts_account_change", args=[customer.account_id])
    page = client.get(url)
    data = admin_form_data(page, **{"users-0-full_name": "Bad\x01Name"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert str(CONTROL_CHARACTERS) in response.content.decode()
    data = admin_form_data(page, **{"users-0-full_name": f"{RLO}nimdA"})
    assert client.post(url, data).status_code == 302
    assert User.objects.get(pk=customer.pk).full_name == "nimdA"


def test_a_business_calendar_name_gets_the_rule(client):
    from sla.models import BusinessCalendar

    client.force_login(LeadFactory())
    add = reverse("admin:sla_businesscalendar_add")
    data = admin_form_data(client.get(add), name="Paris\x07", time_zone="Europe/Paris")
    response = client.post(add, data)
    assert response.status_code == 200
    assert str(CONTROL_CHARACTERS) in response.content.decode()
    assert not BusinessCalendar.objects.filter(name__startswith="Paris").exists()
