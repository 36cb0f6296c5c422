import pytest

from chat import services as chat_services
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.models import TicketStatus
from tests.factories import StaffFactory, SuperAdminFactory, ticket_for


@pytest.fixture
def no_broadcast(monkeypatch):
    monkeypatch.setattr("helpdesk.core.realtime.broadcast_now", lambda g, e: None)


@pytest.fixture
def solved_ticket():
    """A ticket a specialist solved: its requester is asked for a rating."""
    agent = StaffFactory(full_name="Sam Specialist")
    ticket = ticket_for(SuperAdminFactory())
    ticket_services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    ticket_services.ticket_set_status(ticket=ticket, status=TicketStatus.SOLVED, actor=agent)
    return ticket


@pytest.fixture
def ended_chat(no_broadcast):
    """A chat a specialist took part in, ended by the customer."""
    agent = StaffFactory(full_name="Chad Chat")
    conversation, _ = chat_services.conversation_start(
        customer=SuperAdminFactory(), topic="Exports", body="They fail"
    )
    chat_services.conversation_accept(conversation_id=conversation.pk, specialist=agent)
    return chat_services.conversation_end(
        conversation_id=conversation.pk, actor=conversation.customer
    )
