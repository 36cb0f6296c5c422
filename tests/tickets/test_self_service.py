"""Customers solve and reopen their own tickets (within the window), recorded in the
history; a reclassification shows on their page with its explanation. Someone else's
ticket is a 404 on every path, and nothing changes."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from helpdesk.tickets import services
from helpdesk.tickets.models import TicketEventKind, TicketStatus
from tests.factories import StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def _status_events(ticket):
    return [
        (e.actor_id, e.from_value, e.to_value)
        for e in ticket.events.filter(kind=TicketEventKind.STATUS)
    ]


def test_the_requester_solves_and_reopens_recorded_as_theirs():
    ticket = ticket_for(SuperAdminFactory())
    customer = ticket.requester
    services.ticket_solve_by_customer(ticket=ticket, customer=customer)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SOLVED
    assert ticket.sla_next_check_at is None
    services.ticket_reopen_by_customer(ticket=ticket, customer=customer)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.sla_next_check_at is not None  # unanswered: watched again
    assert _status_events(ticket) == [
        (customer.pk, "new", "solved"),
        (customer.pk, "solved", "open"),
    ]


def test_solving_twice_or_reopening_an_open_ticket_is_refused():
    ticket = ticket_for(SuperAdminFactory())
    with pytest.raises(ValidationError) as exc:
        services.ticket_reopen_by_customer(ticket=ticket, customer=ticket.requester)
    assert exc.value.messages == [services.NOT_SOLVED]
    services.ticket_solve_by_customer(ticket=ticket, customer=ticket.requester)
    with pytest.raises(ValidationError) as exc:
        services.ticket_solve_by_customer(ticket=ticket, customer=ticket.requester)
    assert exc.value.messages == [services.ALREADY_SOLVED]


@override_settings(TICKET_CUSTOMER_REOPEN_DAYS=7)
def test_reopening_after_the_window_is_refused():
    ticket = ticket_for(SuperAdminFactory())
    services.ticket_set_status(ticket=ticket, status=TicketStatus.SOLVED, actor=StaffFactory())
    later = timezone.now() + timedelta(days=7, minutes=1)
    with time_machine.travel(later), pytest.raises(ValidationError) as exc:
        services.ticket_reopen_by_customer(ticket=ticket, customer=ticket.requester)
    assert exc.value.messages == [services.REOPEN_WINDOW_PASSED]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SOLVED


def test_nobody_else_solves_or_reopens_not_even_the_accounts_super_admin():
    regular = UserFactory(account=SuperAdminFactory().account)
    ticket = ticket_for(regular)
    boss = SuperAdminFactory(account=regular.account)
    for other in (boss, StaffFactory(), SuperAdminFactory()):
        with pytest.raises(PermissionDenied):
            services.ticket_solve_by_customer(ticket=ticket, customer=other)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


def test_the_page_offers_solve_then_reopen(client):
    ticket = ticket_for(SuperAdminFactory())
    client.force_login(ticket.requester)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert reverse("ticket_solve", args=[ticket.pk]) in page
    response = client.post(reverse("ticket_solve", args=[ticket.pk]))
    assert response.status_code == 302
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert "Your ticket is marked solved." in page
    assert reverse("ticket_reopen", args=[ticket.pk]) in page
    assert "Rate the help you got" in page
    response = client.post(reverse("ticket_reopen", args=[ticket.pk]), **JSON)
    assert response.json() == {"status": "open"}


def test_a_refusal_on_the_page_is_a_clear_message(client):
    ticket = ticket_for(SuperAdminFactory())
    client.force_login(ticket.requester)
    response = client.post(reverse("ticket_reopen", args=[ticket.pk]), **JSON)
    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": [services.NOT_SOLVED]}}
    response = client.post(reverse("ticket_reopen", args=[ticket.pk]), follow=True)
    assert str(services.NOT_SOLVED) in response.content.decode()


def test_forged_solve_and_reopen_of_another_users_ticket_are_404(client):
    regular = UserFactory(account=SuperAdminFactory().account)
    ticket = ticket_for(regular)
    boss = SuperAdminFactory(account=regular.account)
    for user in (boss, UserFactory(account=regular.account), SuperAdminFactory(), StaffFactory()):
        client.force_login(user)
        for name in ("ticket_solve", "ticket_reopen"):
            assert client.post(reverse(name, args=[ticket.pk]), **JSON).status_code == 404
    # The account's super admin reads the ticket but is offered neither button.
    client.force_login(boss)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert reverse("ticket_solve", args=[ticket.pk]) not in page
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW
    assert not _status_events(ticket)


def test_solve_and_reopen_need_a_post(client):
    ticket = ticket_for(SuperAdminFactory())
    client.force_login(ticket.requester)
    assert client.get(reverse("ticket_solve", args=[ticket.pk])).status_code == 405


def test_a_reclassification_shows_on_the_customers_page_with_its_explanation(client):
    ticket = ticket_for(SuperAdminFactory(), business_critical=True)
    services.ticket_reclassify(
        ticket=ticket,
        business_critical=False,
        reason="Only one user is affected, so this is a standard ticket.",
        actor=StaffFactory(),
    )
    client.force_login(ticket.requester)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert "Reclassified as a standard ticket" in page
    assert "Only one user is affected, so this is a standard ticket." in page
    assert "(deadline" not in page


def test_the_specialists_history_names_the_customers_solve_and_reopen(client):
    """In the admin, the status changes read with the statuses' names and the customer as
    the one who made them."""
    ticket = ticket_for(SuperAdminFactory())
    customer = ticket.requester
    services.ticket_solve_by_customer(ticket=ticket, customer=customer)
    services.ticket_reopen_by_customer(ticket=ticket, customer=customer)
    client.force_login(StaffFactory())
    page = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    history = page[page.index("History and escalations") :]
    assert history.count(customer.email) >= 2
    for label in ("New", "Solved", "Open"):
        assert f"<p>{label}</p>" in history
    assert "<p>solved</p>" not in history
