"""Ticket emails, called with ids as the tasks call them: who receives each one."""

import pytest

from helpdesk.tickets import notifications, services
from helpdesk.tickets.models import ReplyVisibility
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, ticket_for

pytestmark = pytest.mark.django_db


def test_a_business_critical_alert_goes_to_the_active_specialists(mailoutbox):
    agent = StaffFactory()
    StaffFactory(is_active=False)
    ticket = ticket_for(SuperAdminFactory())
    mailoutbox.clear()
    notifications.business_critical_alert(ticket_id=ticket.pk)
    [mail] = mailoutbox
    assert mail.to == [agent.email]
    assert mail.subject == f"[#{ticket.pk}] Business-critical: {ticket.subject}"


def test_a_deadline_warning_goes_to_the_assignee_else_to_the_specialists(mailoutbox):
    agent, other = StaffFactory(), StaffFactory()
    requester = SuperAdminFactory()
    mine, nobodys = ticket_for(requester), ticket_for(requester)
    services.ticket_assign(ticket=mine, assignee=other, actor=agent)
    mailoutbox.clear()
    notifications.sla_warning_notify(ticket_ids=[mine.pk, nobodys.pk])
    sent = {tuple(sorted(m.to)): m.subject for m in mailoutbox}
    assert sent == {
        (other.email,): "Deadline warning: 1 ticket(s) due soon",
        tuple(sorted([agent.email, other.email])): "Deadline warning: 1 ticket(s) due soon",
    }


def test_escalations_go_to_the_leads_in_one_digest(mailoutbox):
    lead = LeadFactory()
    requester = SuperAdminFactory()
    first, second = ticket_for(requester), ticket_for(requester)
    mailoutbox.clear()
    notifications.sla_escalation_notify(
        items=[[first.pk, "breached", 1], [second.pk, "escalated", 3]]
    )
    [mail] = mailoutbox
    assert mail.to == [lead.email]
    assert mail.subject == "SLA escalation (level 3): 2 ticket(s)"


def test_internal_notes_and_missing_rows_send_nothing(mailoutbox):
    agent = StaffFactory()
    ticket = ticket_for(SuperAdminFactory())
    note = services.ticket_reply(
        ticket=ticket, author=agent, body="note", visibility=ReplyVisibility.INTERNAL
    )
    mailoutbox.clear()
    notifications.ticket_reply_notify(reply_id=note.pk)
    notifications.ticket_created_notify(ticket_id=ticket.pk + 1000)
    notifications.business_critical_alert(ticket_id=ticket.pk + 1000)
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "2 Dec 2026, 11:00"), ("fr", "2 déc. 2026, 11:00"), ("ja", "2026年12月2日 11:00")],
)
def test_the_confirmation_writes_the_deadline_in_the_requesters_zone_and_one_style(
    mailoutbox, language, written
):
    from datetime import UTC, datetime

    from django.utils import timezone as django_timezone

    requester = SuperAdminFactory(time_zone="Europe/Paris")
    ticket = ticket_for(requester)
    due = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    type(ticket).objects.filter(pk=ticket.pk).update(due_at=due, language=language)
    mailoutbox.clear()
    with django_timezone.override("UTC"):  # the worker's zone is not the customer's
        notifications.ticket_created_notify(ticket_id=ticket.pk)
    (mail,) = mailoutbox
    assert written in mail.body
    assert "Europe/Paris" in mail.body
