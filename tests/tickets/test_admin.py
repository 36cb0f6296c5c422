from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from helpdesk.tickets import services
from helpdesk.tickets.models import Ticket, TicketChannel, TicketEventKind, TicketStatus
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db


def _changelist(client, **params):
    return client.get(reverse("admin:tickets_ticket_changelist"), params)


def test_filters_breached_due_soon_critical_unassigned_and_mine(client):
    admin = SuperAdminFactory()
    agent = StaffFactory()
    breached = ticket_for(admin, subject="Breached one")
    Ticket.objects.filter(pk=breached.pk).update(breached_at=breached.due_at, escalation_level=1)
    soon = ticket_for(admin, subject="Due soon one", business_critical=True)
    Ticket.objects.filter(pk=soon.pk).update(due_at=timezone.now() + timedelta(minutes=10))
    mine = ticket_for(admin, subject="Mine one")
    Ticket.objects.filter(pk=mine.pk).update(assignee=agent)
    client.force_login(agent)

    def subjects(**params):
        return {t.subject for t in _changelist(client, **params).context["cl"].result_list}

    assert subjects(sla="breached") == {"Breached one"}
    assert subjects(sla="due_soon") == {"Due soon one"}
    assert subjects(business_critical__exact="1") == {"Due soon one"}
    assert subjects(assigned="me") == {"Mine one"}
    assert subjects(assigned="nobody") == {"Breached one", "Due soon one"}
    ordered = [t.subject for t in _changelist(client).context["cl"].result_list]
    assert ordered[0] == "Due soon one"  # ordered by deadline


def test_assign_to_me_and_mark_solved_actions_record_history(client):
    ticket = ticket_for(SuperAdminFactory())
    agent = StaffFactory()
    client.force_login(agent)
    url = reverse("admin:tickets_ticket_changelist")
    client.post(url, {"action": "assign_to_me", "_selected_action": [ticket.pk]})
    client.post(url, {"action": "mark_solved", "_selected_action": [ticket.pk]})
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.status == TicketStatus.SOLVED
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds.count(TicketEventKind.ASSIGNED) == 1 and TicketEventKind.STATUS in kinds


def _change(client, ticket, **data):
    payload = {
        "status": ticket.status,
        "assignee": ticket.assignee_id or "",
        "reply_body": "",
        "reply_visibility": "public",
        "reclassify": "",
        "reclassify_reason": "",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        **data,
    }
    return client.post(reverse("admin:tickets_ticket_change", args=[ticket.pk]), payload)


def test_specialist_replies_in_the_admin_and_the_clock_stops(client):
    ticket = ticket_for(SuperAdminFactory())
    client.force_login(StaffFactory())
    response = _change(client, ticket, reply_body="We are on it", reply_visibility="public")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.answered_at is not None
    assert ticket.replies.get().body == "We are on it"


def test_internal_note_in_the_admin_does_not_stop_the_clock(client):
    ticket = ticket_for(SuperAdminFactory())
    client.force_login(StaffFactory())
    _change(client, ticket, reply_body="note to self", reply_visibility="internal")
    ticket.refresh_from_db()
    assert ticket.answered_at is None and ticket.replies.get().visibility == "internal"


def test_reclassification_in_the_admin_asks_for_a_reason(client):
    """The ticket page's Reclassify button (the change form no longer shows the fields)."""
    ticket = ticket_for(SuperAdminFactory())
    client.force_login(LeadFactory())
    url = reverse("admin:tickets_ticket_reclassify", args=[ticket.pk])
    response = client.post(url, {"business_critical": "1", "reason": ""}, follow=True)
    assert "Give a reason for the reclassification." in response.content.decode()
    ticket.refresh_from_db()
    assert not ticket.business_critical
    client.post(url, {"business_critical": "1", "reason": "Revenue at risk"})
    ticket.refresh_from_db()
    assert ticket.business_critical
    assert ticket.events.filter(kind=TicketEventKind.RECLASSIFIED).exists()


def test_regular_users_ticket_cannot_be_reclassified_critical(client):
    admin = SuperAdminFactory()
    ticket = ticket_for(UserFactory(account=admin.account))
    client.force_login(StaffFactory())
    response = _change(client, ticket, reclassify="critical", reclassify_reason="why not")
    assert "Only email tickets submitted by a super admin" in response.content.decode()


def test_changelist_does_not_count_every_ticket(client, django_assert_max_num_queries):
    admin = SuperAdminFactory()
    for _ in range(3):
        ticket_for(admin)
    client.force_login(StaffFactory())
    with django_assert_max_num_queries(12):
        response = _changelist(client)
    assert response.status_code == 200


# ---- Service refusals in the admin: shown, and nothing changed ------------------------


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_reclassification_the_service_refuses_is_a_form_error_and_changes_nothing(client):
    """A super admin's chat ticket cannot be business-critical: the form lets the choice
    through (it does not know the channel rule), the service refuses it, and the
    assignment made in the same post is rolled back with it."""
    ticket = ticket_for(SuperAdminFactory(), channel=TicketChannel.CHAT)
    agent = StaffFactory()
    client.force_login(agent)
    response = _change(
        client,
        ticket,
        assignee=agent.pk,
        reclassify="critical",
        reclassify_reason="Revenue at risk",
        reply_body="We are on it",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert str(services.RECLASSIFY_NOT_SUPER_ADMIN) in page
    assert not any("was changed successfully" in m for m in _messages(response))
    ticket.refresh_from_db()
    assert ticket.assignee is None and not ticket.business_critical
    assert ticket.answered_at is None and not ticket.replies.exists()
    assert list(ticket.events.values_list("kind", flat=True)) == [TicketEventKind.CREATED]
    assert not LogEntry.objects.filter(object_id=str(ticket.pk)).exists()


def test_a_refused_admin_change_sends_no_email(client, mailoutbox):
    ticket = ticket_for(SuperAdminFactory(), channel=TicketChannel.CHAT)
    mailoutbox.clear()
    client.force_login(StaffFactory())
    response = _change(
        client,
        ticket,
        reply_body="We are on it",
        reclassify="critical",
        reclassify_reason="Revenue at risk",
    )
    assert response.status_code == 200
    assert mailoutbox == []


def test_a_forged_post_without_the_history_formset_keeps_nothing(client):
    """A post the admin shows again (here: the inline's management form is missing)
    keeps nothing the services did while the main form was validated."""
    ticket = ticket_for(SuperAdminFactory())
    client.force_login(StaffFactory())
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    response = client.post(
        url,
        {
            "status": ticket.status,
            "assignee": "",
            "reply_body": "We are on it",
            "reply_visibility": "public",
            "reclassify": "",
            "reclassify_reason": "",
        },
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.answered_at is None and not ticket.replies.exists()


def test_a_staff_user_who_is_not_a_specialist_gets_the_services_refusal(client):
    """Admin rights on tickets without being a specialist or lead: the ticket services
    refuse, the change form says so, and nothing is assigned."""
    ticket = ticket_for(SuperAdminFactory())
    clerk = UserFactory(account=None, role="", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tickets", codename__in=["view_ticket", "change_ticket"]
        )
    )
    client.force_login(clerk)
    response = _change(client, ticket, assignee=StaffFactory().pk)
    assert response.status_code == 200
    assert str(services.STAFF_ONLY) in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_bulk_actions_show_the_services_refusal_and_change_nothing(client):
    ticket = ticket_for(SuperAdminFactory())
    clerk = UserFactory(account=None, role="", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tickets", codename__in=["view_ticket", "change_ticket"]
        )
    )
    client.force_login(clerk)
    url = reverse("admin:tickets_ticket_changelist")
    for action, done in (("assign_to_me", "Assigned to you."), ("mark_solved", "Marked solved.")):
        response = client.post(
            url, {"action": action, "_selected_action": [ticket.pk]}, follow=True
        )
        shown = _messages(response)
        assert f"#{ticket.pk}: {services.STAFF_ONLY}" in shown
        assert done not in shown
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.status == TicketStatus.NEW
    assert list(ticket.events.values_list("kind", flat=True)) == [TicketEventKind.CREATED]
