from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Role
from helpdesk.tickets import services
from helpdesk.tickets.models import ReplyVisibility, TicketChannel, TicketEventKind, TicketStatus
from sla.models import ResponseTimeException, SlaKind, SlaPolicy
from tests.factories import (
    LeadFactory,
    StaffFactory,
    SuperAdminFactory,
    UserFactory,
    ticket_for,
)

pytestmark = pytest.mark.django_db


def test_super_admin_standard_ticket_is_guaranteed_within_an_hour():
    with time_machine.travel("2026-11-22 03:00:00Z", tick=False):
        ticket = ticket_for(SuperAdminFactory())
    assert ticket.sla_policy == SlaPolicy.STANDARD
    assert ticket.sla_kind == SlaKind.GUARANTEED
    assert ticket.due_at - ticket.created_at == timedelta(hours=1)
    assert ticket.warn_at - ticket.created_at == timedelta(minutes=45)
    assert ticket.events.get().kind == TicketEventKind.CREATED


def test_business_critical_ticket_is_guaranteed_within_30_minutes():
    ticket = ticket_for(SuperAdminFactory(), business_critical=True)
    assert ticket.sla_policy == SlaPolicy.BUSINESS_CRITICAL
    assert ticket.due_at - ticket.created_at == timedelta(minutes=30)


def test_regular_user_ticket_has_a_one_business_day_target():
    admin = SuperAdminFactory()
    with time_machine.travel("2026-11-24 15:00:00Z", tick=False):  # Tue 10:00 in UTC calendar
        ticket = ticket_for(UserFactory(account=admin.account))
    assert ticket.sla_kind == SlaKind.TARGET
    assert ticket.due_at == ticket.created_at + timedelta(days=1)


def test_regular_user_cannot_flag_business_critical_and_nothing_is_saved():
    user = UserFactory(account=SuperAdminFactory().account)
    with pytest.raises(ValidationError) as exc:
        ticket_for(user, business_critical=True)
    assert exc.value.message_dict == {
        "business_critical": [services.BUSINESS_CRITICAL_ONLY_SUPER_ADMIN]
    }
    assert not user.requested_tickets.exists()


def test_flag_on_another_channel_is_refused():
    admin = SuperAdminFactory()
    with pytest.raises(ValidationError) as exc:
        ticket_for(admin, channel=TicketChannel.PHONE, business_critical=True)
    assert exc.value.message_dict == {"business_critical": [services.BUSINESS_CRITICAL_ONLY_EMAIL]}
    assert not admin.requested_tickets.exists()


@pytest.mark.parametrize(
    ("subject", "description", "errors"),
    [
        ("", "x", {"subject": [services.SUBJECT_REQUIRED]}),
        ("   ", "x", {"subject": [services.SUBJECT_REQUIRED]}),
        ("s" * 201, "x", {"subject": [services.SUBJECT_TOO_LONG]}),
        ("ok", "", {"description": [services.DESCRIPTION_REQUIRED]}),
        ("ok", "d" * 20_001, {"description": [services.DESCRIPTION_TOO_LONG]}),
        (
            "",
            "",
            {
                "subject": [services.SUBJECT_REQUIRED],
                "description": [services.DESCRIPTION_REQUIRED],
            },
        ),
    ],
)
def test_subject_and_description_limits(subject, description, errors):
    admin = SuperAdminFactory()
    with pytest.raises(ValidationError) as exc:
        ticket_for(admin, subject=subject, description=description)
    assert exc.value.message_dict == errors
    assert not admin.requested_tickets.exists()


def test_limits_are_inclusive():
    ticket = ticket_for(SuperAdminFactory(), subject="s" * 200, description="d" * 20_000)
    assert len(ticket.subject) == 200 and len(ticket.description) == 20_000


def test_customer_without_premium_support_is_refused():
    with pytest.raises(PermissionDenied, match=str(services.CHANNEL_NOT_ALLOWED)):
        ticket_for(UserFactory())


@override_settings(TICKET_RATE_LIMIT_PER_HOUR=3)
def test_submissions_are_rate_limited_per_user(django_capture_on_commit_callbacks):
    admin = SuperAdminFactory()
    colleague = UserFactory(account=admin.account)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            ticket_for(admin)
    with pytest.raises(ValidationError) as exc:
        ticket_for(admin)
    assert exc.value.messages == [services.RATE_LIMITED]
    assert admin.requested_tickets.count() == 3
    ticket_for(colleague)  # another user is not affected


def test_creation_email_is_sent_on_commit_with_the_deadline(django_capture_on_commit_callbacks):
    admin = SuperAdminFactory(time_zone="Europe/Paris")
    StaffFactory(email="agent@support.example")
    with time_machine.travel("2026-11-22 10:00:00Z", tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ticket = ticket_for(admin, business_critical=True)
        assert mail.outbox == []  # nothing inside the request's transaction
        for callback in callbacks:
            callback()
    to_requester = [m for m in mail.outbox if m.to == [admin.email]]
    to_specialists = [m for m in mail.outbox if m.to == ["agent@support.example"]]
    assert len(to_requester) == 1 and len(to_specialists) == 1
    assert f"#{ticket.pk}" in to_requester[0].subject
    assert "11:30 (Europe/Paris)" in to_requester[0].body  # 10:30 UTC = 11:30 in Paris
    assert "Business-critical" in to_specialists[0].subject


def test_no_email_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    admin = SuperAdminFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ticket_for(admin)
        raise RuntimeError("later step failed")
    assert mail.outbox == []
    assert not admin.requested_tickets.exists()


def test_first_public_reply_stops_the_clock_and_internal_notes_do_not(
    django_capture_on_commit_callbacks,
):
    ticket = ticket_for(SuperAdminFactory())
    agent = StaffFactory()
    services.ticket_reply(
        ticket=ticket, author=agent, body="Looking", visibility=ReplyVisibility.INTERNAL
    )
    ticket.refresh_from_db()
    assert ticket.answered_at is None and ticket.sla_next_check_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(
            ticket=ticket, author=agent, body="Fixed it", visibility=ReplyVisibility.PUBLIC
        )
        services.ticket_reply(
            ticket=ticket, author=agent, body="Also…", visibility=ReplyVisibility.PUBLIC
        )
    ticket.refresh_from_db()
    first = ticket.replies.filter(visibility=ReplyVisibility.PUBLIC).first()
    assert ticket.answered_at == first.created_at
    assert ticket.sla_next_check_at is None
    assert ticket.status == TicketStatus.WAITING_ON_CUSTOMER
    assert ticket.events.filter(kind=TicketEventKind.FIRST_REPLY).count() == 1
    assert [m.subject for m in mail.outbox].count(
        f"[#{ticket.pk}] New reply: {ticket.subject}"
    ) == 2


def test_customer_cannot_write_an_internal_note():
    admin = SuperAdminFactory()
    ticket = ticket_for(admin)
    with pytest.raises(PermissionDenied, match=str(services.INTERNAL_NOTE_FORBIDDEN)):
        services.ticket_reply(
            ticket=ticket, author=admin, body="psst", visibility=ReplyVisibility.INTERNAL
        )
    assert not ticket.replies.exists()


def test_customer_reply_does_not_stop_the_clock_and_reopens():
    admin = SuperAdminFactory()
    ticket = ticket_for(admin)
    services.ticket_reply(ticket=ticket, author=admin, body="More info", visibility="public")
    ticket.refresh_from_db()
    assert ticket.answered_at is None
    assert ticket.status == TicketStatus.OPEN


def test_reclassify_to_business_critical_recomputes_from_submission_time():
    with time_machine.travel("2026-11-22 10:00:00Z", tick=False):
        ticket = ticket_for(SuperAdminFactory())
    with time_machine.travel("2026-11-22 10:10:00Z", tick=False):
        ticket = services.ticket_reclassify(
            ticket=ticket,
            business_critical=True,
            reason="Whole team locked out",
            actor=StaffFactory(),
        )
    assert ticket.business_critical and ticket.sla_policy == SlaPolicy.BUSINESS_CRITICAL
    assert ticket.due_at == ticket.created_at + timedelta(minutes=30)
    event = ticket.events.get(kind=TicketEventKind.RECLASSIFIED)
    assert event.to_value == "business-critical" and "Whole team locked out" in event.reason


def test_reclassify_to_standard_recomputes_and_clears_a_breach_that_no_longer_applies():
    with time_machine.travel("2026-11-22 10:00:00Z", tick=False):
        ticket = ticket_for(SuperAdminFactory(), business_critical=True)
    ticket.breached_at = ticket.due_at
    ticket.escalation_level = 1
    ticket.save()
    with time_machine.travel("2026-11-22 10:40:00Z", tick=False):
        ticket = services.ticket_reclassify(
            ticket=ticket, business_critical=False, reason="One user only", actor=LeadFactory()
        )
    assert ticket.due_at == ticket.created_at + timedelta(hours=1)
    assert ticket.breached_at is None and ticket.escalation_level == 0
    assert ticket.sla_next_check_at == ticket.created_at + timedelta(minutes=45)  # warning
    assert ticket.sla_kind == SlaKind.GUARANTEED


def test_reclassify_needs_a_reason_and_a_super_admin_email_ticket():
    admin = SuperAdminFactory()
    regular_ticket = ticket_for(UserFactory(account=admin.account, role=Role.REGULAR))
    agent = StaffFactory()
    with pytest.raises(ValidationError) as exc:
        services.ticket_reclassify(
            ticket=regular_ticket, business_critical=True, reason="", actor=agent
        )
    assert exc.value.message_dict == {"reason": [services.RECLASSIFY_REASON_REQUIRED]}
    with pytest.raises(ValidationError) as exc:
        services.ticket_reclassify(
            ticket=regular_ticket, business_critical=True, reason="urgent", actor=agent
        )
    assert exc.value.message_dict == {"business_critical": [services.RECLASSIFY_NOT_SUPER_ADMIN]}
    with pytest.raises(PermissionDenied):
        services.ticket_reclassify(
            ticket=ticket_for(admin), business_critical=True, reason="me!", actor=admin
        )


def test_ticket_overlapping_a_response_time_exception_is_exempt():
    admin = SuperAdminFactory()
    now = timezone.now()
    exception = ResponseTimeException.objects.create(
        starts_at=now + timedelta(minutes=20),
        ends_at=now + timedelta(hours=2),
        reason="Declared incident INC-42",
    )
    ticket = ticket_for(admin)
    assert ticket.sla_kind == SlaKind.EXEMPT
    assert ticket.sla_exception == exception
    other_account_only = ResponseTimeException.objects.create(
        starts_at=now, ends_at=now + timedelta(hours=2), reason="x", account=UserFactory().account
    )
    exception.delete()
    ticket = ticket_for(admin)
    assert ticket.sla_kind == SlaKind.GUARANTEED
    assert other_account_only.pk
