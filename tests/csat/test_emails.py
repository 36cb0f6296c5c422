"""The solved email and the chat transcript carry the signed rating link."""

import pytest

from chat import services as chat_services
from helpdesk.csat import services
from helpdesk.csat.models import Survey
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.models import TicketStatus
from tests.factories import StaffFactory, SuperAdminFactory, ticket_for

pytestmark = pytest.mark.django_db


def test_the_solved_email_links_to_the_rating(mailoutbox, django_capture_on_commit_callbacks):
    agent = StaffFactory()
    ticket = ticket_for(SuperAdminFactory())
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_set_status(ticket=ticket, status=TicketStatus.SOLVED, actor=agent)
    [mail] = mailoutbox
    assert mail.subject == f"[#{ticket.pk}] Solved: {ticket.subject}"
    assert mail.to == [ticket.requester.email]
    # The link is signed with a timestamp: the survey's part of it, then a working link.
    link = services.survey_link(Survey.objects.get())
    assert link.split(":")[0] + ":" in mail.body


def test_the_transcript_links_to_the_rating(
    mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("helpdesk.core.realtime.broadcast_now", lambda g, e: None)
    conversation, _ = chat_services.conversation_start(
        customer=SuperAdminFactory(), topic="Exports", body="They fail"
    )
    chat_services.conversation_accept(conversation_id=conversation.pk, specialist=StaffFactory())
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.conversation_end(conversation_id=conversation.pk, actor=conversation.customer)
    [mail] = mailoutbox
    assert services.survey_link(Survey.objects.get()) in mail.body
    assert "Rate this chat" in mail.body
