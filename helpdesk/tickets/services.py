"""Ticket services: every write to tickets, replies and their history."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.assignment import TICKETS, specialist_pick_next
from accounts.audit import audit_record
from accounts.models import PremiumChannel, Role, User
from accounts.permissions import (
    can_flag_business_critical,
    can_view_customer_item,
    is_agent,
    is_customer,
)
from accounts.selectors import Entitlement, entitlement_for
from helpdesk.core.outbox.services import outbox_enqueue
from helpdesk.core.ratelimit import rate_limit_give_back, rate_limit_take
from helpdesk.core.textclean import clean_line, clean_text, limit_message
from helpdesk.core.webhooks.events import WebhookEvent
from helpdesk.core.webhooks.services import webhook_emit
from helpdesk.csat.models import RatedKind
from helpdesk.csat.services import survey_open
from helpdesk.tickets import notifications
from helpdesk.tickets.attachments import (
    Upload,
    atomic_with_files,
    attachments_add,
    attachments_check,
)
from helpdesk.tickets.models import (
    Reply,
    ReplyVisibility,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
)
from helpdesk.tickets.permissions import can_reply_to_ticket, can_write_internal_note
from sla.deadlines import policy_for
from sla.inbox import ANSWERED, CLAIMED, NEW, TICKET, inbox_changed
from sla.services import apply_deadline, next_check_at

SUBJECT_MAX = 200
DESCRIPTION_MAX = 20_000
REPLY_MAX = 20_000
RECLASSIFY_REASON_MAX = 1_000

NOT_A_CUSTOMER = _("Only customer users can submit tickets.")
CHANNEL_NOT_ALLOWED = _("Your account is not entitled to this support channel.")
BUSINESS_CRITICAL_ONLY_SUPER_ADMIN = _(
    "Only a super admin of the account can flag an issue as business-critical."
)
BUSINESS_CRITICAL_ONLY_EMAIL = _("Only email tickets can be flagged business-critical.")
SUBJECT_REQUIRED = _("Enter a subject.")
SUBJECT_TOO_LONG = limit_message(_("Keep the subject to {limit} characters or fewer."), SUBJECT_MAX)
DESCRIPTION_REQUIRED = _("Describe the problem.")
DESCRIPTION_TOO_LONG = limit_message(
    _("Keep the description to {limit} characters or fewer."), DESCRIPTION_MAX
)
RATE_LIMITED = _(
    "You have submitted a lot of tickets in the last hour. Please wait a little before "
    "submitting another, or add to one of your open tickets."
)
REPLY_REQUIRED = _("Write a message.")
REPLY_TOO_LONG = limit_message(_("Keep the message to {limit} characters or fewer."), REPLY_MAX)
REPLY_NOT_ALLOWED = _("You cannot reply to this ticket.")
INTERNAL_NOTE_FORBIDDEN = _("Only specialists can write internal notes.")
RECLASSIFY_REASON_REQUIRED = _("Give a reason for the reclassification.")
RECLASSIFY_REASON_TOO_LONG = limit_message(
    _("Keep the reason to {limit} characters or fewer."), RECLASSIFY_REASON_MAX
)
RECLASSIFY_NOT_SUPER_ADMIN = _(
    "Only email tickets submitted by a super admin can be business-critical."
)
RECLASSIFY_UNCHANGED = _("The ticket already has this classification.")
STAFF_ONLY = _("Only specialists and leads can do this.")
NOT_YOUR_TICKET = _("Only the customer who submitted this ticket can do this.")
ALREADY_SOLVED = _("This ticket is already solved.")
NOT_SOLVED = _("Only a solved ticket can be reopened.")
REOPEN_WINDOW_PASSED = _(
    "This ticket was solved too long ago to reopen. Open a new one from the Help button."
)

_CHANNELS = {
    TicketChannel.EMAIL: PremiumChannel.EMAIL,
    TicketChannel.CHAT: PremiumChannel.CHAT,
    TicketChannel.PHONE: PremiumChannel.PHONE,
}


def _event(
    ticket: Ticket,
    kind: TicketEventKind,
    *,
    actor: User | None,
    from_value: User | str = "",
    to_value: User | str = "",
    reason: str = "",
    at: datetime | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        from_value=str(from_value)[:200],
        to_value=str(to_value)[:200],
        reason=reason,
        created_at=at or timezone.now(),
    )


def ticket_create(
    *,
    requester: User,
    channel: TicketChannel,
    subject: str,
    description: str,
    business_critical: bool = False,
    entitlement: Entitlement | None = None,
    created_by: User | None = None,
    attachments: Sequence[Upload] = (),
) -> Ticket:
    """Submit a ticket for a customer: check the rules, compute the deadline, save,
    and queue the emails once the transaction commits.

    `entitlement` is the one the view computed from the request (it knows the mobile
    app); `created_by` is the specialist when staff open a ticket for the customer."""
    if not is_customer(requester):
        raise PermissionDenied(NOT_A_CUSTOMER)
    if created_by is None:
        entitlement = entitlement or entitlement_for(user=requester)
        if not entitlement.allows(_CHANNELS[TicketChannel(channel)]):
            raise PermissionDenied(CHANNEL_NOT_ALLOWED)
    elif not is_agent(created_by):
        raise PermissionDenied(STAFF_ONLY)
    if business_critical:
        if channel != TicketChannel.EMAIL:
            raise ValidationError({"business_critical": BUSINESS_CRITICAL_ONLY_EMAIL})
        if not can_flag_business_critical(requester):
            raise ValidationError({"business_critical": BUSINESS_CRITICAL_ONLY_SUPER_ADMIN})
    errors = {}
    try:
        # One line: the subject goes into email headers and list views.
        subject = clean_line(
            subject,
            field="subject",
            max_length=SUBJECT_MAX,
            required_message=SUBJECT_REQUIRED,
            too_long_message=SUBJECT_TOO_LONG,
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        description = clean_text(
            description,
            field="description",
            max_length=DESCRIPTION_MAX,
            required_message=DESCRIPTION_REQUIRED,
            too_long_message=DESCRIPTION_TOO_LONG,
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if attachments:
        try:
            attachments_check(attachments)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    # Taken before the write and given back if it fails: concurrent submissions each get
    # their own count, so exactly TICKET_RATE_LIMIT_PER_HOUR of them go through.
    limited = created_by is None
    if limited and not rate_limit_take(
        scope="ticket", ident=str(requester.pk), limit=settings.TICKET_RATE_LIMIT_PER_HOUR
    ):
        raise ValidationError(RATE_LIMITED)
    try:
        return _ticket_insert(
            requester=requester,
            channel=channel,
            subject=subject,
            description=description,
            business_critical=business_critical,
            created_by=created_by,
            attachments=attachments,
        )
    except BaseException:
        if limited:
            rate_limit_give_back(scope="ticket", ident=str(requester.pk))
        raise


def _ticket_insert(
    *,
    requester: User,
    channel: TicketChannel,
    subject: str,
    description: str,
    business_critical: bool,
    created_by: User | None,
    attachments: Sequence[Upload],
) -> Ticket:
    assert requester.account_id is not None  # ticket_create admits customers only
    now = timezone.now()
    with atomic_with_files():
        ticket = Ticket(
            account_id=requester.account_id,
            requester=requester,
            requester_role=requester.role,
            channel=channel,
            subject=subject,
            description=description,
            business_critical=business_critical,
            created_at=now,
            language=_email_language(),
        )
        apply_deadline(
            item=ticket,
            start=now,
            policy=policy_for(
                super_admin=requester.role == Role.SUPER_ADMIN, business_critical=business_critical
            ),
            account_id=requester.account_id,
        )
        # Field validation only: the foreign keys come from loaded rows and the check
        # constraints were enforced above (and again by the database), so skip their
        # extra round trips on this hot path.
        ticket.full_clean(
            exclude=["account", "requester", "assignee", "sla_exception"],
            validate_constraints=False,
        )
        ticket.save()
        _event(ticket, TicketEventKind.CREATED, actor=created_by or requester, at=now)
        if attachments:
            attachments_add(
                ticket=ticket, reply=None, uploaded_by=created_by or requester, uploads=attachments
            )
        outbox_enqueue(
            kind=notifications.TICKET_CREATED,
            key=f"{notifications.TICKET_CREATED}:{ticket.pk}",
            payload={"ticket_id": ticket.pk},
        )
        if business_critical:
            outbox_enqueue(
                kind=notifications.BUSINESS_CRITICAL,
                key=f"{notifications.BUSINESS_CRITICAL}:{ticket.pk}",
                payload={"ticket_id": ticket.pk},
            )
        webhook_emit(
            event=WebhookEvent.TICKET_CREATED,
            key=f"ticket.created:{ticket.pk}",
            data={"ticket": notifications.ticket_webhook_data(ticket)},
        )
        inbox_changed(kind=TICKET, item_id=ticket.pk, change=NEW, title=ticket.subject)
        if settings.AUTO_ASSIGN:
            ticket_id = ticket.pk
            transaction.on_commit(lambda: ticket_auto_assign(ticket_id=ticket_id))
    return ticket


AUTO_ASSIGNED = "Assigned automatically (round robin)."


def ticket_auto_assign(*, ticket_id: int) -> User | None:
    """Give a new unassigned ticket to the next available specialist, round robin (no
    capacity: a ticket does not hold a specialist the way a live chat does). Recorded as
    an assignment by no one, with the reason. None when no one is available."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None or ticket.assignee_id is not None or ticket.status != TicketStatus.NEW:
            return None
        pick = specialist_pick_next(pool=TICKETS)
        if pick is None:
            return None
        _event(
            ticket,
            TicketEventKind.ASSIGNED,
            actor=None,
            to_value=pick.specialist,
            reason=AUTO_ASSIGNED,
        )
        _event(ticket, TicketEventKind.STATUS, actor=None, from_value="new", to_value="open")
        ticket.assignee = pick.specialist
        ticket.status = TicketStatus.OPEN
        ticket.save(update_fields=["assignee", "status", "updated_at"])
        _inbox_claimed(ticket)
    return pick.specialist


def _inbox_claimed(ticket: Ticket) -> None:
    inbox_changed(
        kind=TICKET,
        item_id=ticket.pk,
        change=CLAIMED,
        title=ticket.subject,
        assignee_id=ticket.assignee_id,
    )


def _email_language() -> str:
    """The active language if the portal has it (the ticket's emails are written in it)."""
    active = (translation.get_language() or "").split("-")[0]
    return active if active in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _set_status(ticket: Ticket, status: TicketStatus, actor: User | None) -> None:
    if ticket.status == status:
        return
    event = _event(
        ticket, TicketEventKind.STATUS, actor=actor, from_value=ticket.status, to_value=status
    )
    # Into the inbox (back with the specialist) or out of it (answered, solved); a move
    # between two statuses outside it (solved to closed) is no news for the staff.
    inbox = (TicketStatus.NEW, TicketStatus.OPEN)
    if ticket.status in inbox or status in inbox:
        inbox_changed(
            kind=TICKET,
            item_id=ticket.pk,
            change=NEW if status in inbox else ANSWERED,
            title=ticket.subject,
            assignee_id=ticket.assignee_id,
        )
    ticket.status = status
    fields = ["status", "updated_at", "resolved_at"]
    if status in (TicketStatus.SOLVED, TicketStatus.CLOSED):
        # A solved ticket is no longer escalated, even if it had no public reply; its
        # clock stopped when it was first solved or closed (closing a solved one later
        # does not move it).
        ticket.sla_next_check_at = None
        ticket.resolved_at = ticket.resolved_at or event.created_at
        fields.append("sla_next_check_at")
    else:
        ticket.resolved_at = None
    ticket.save(update_fields=fields)
    if status == TicketStatus.SOLVED:
        survey_open(
            kind=RatedKind.TICKET,
            item_id=ticket.pk,
            customer=ticket.requester,
            specialist=ticket.assignee or (actor if actor and is_agent(actor) else None),
        )
        if actor is None or is_agent(actor):
            # The customer who solved it themselves is asked on the page, not by email.
            outbox_enqueue(
                kind=notifications.TICKET_SOLVED,
                key=f"{notifications.TICKET_SOLVED}:{event.pk}",
                payload={"ticket_id": ticket.pk, "event_id": event.pk},
            )
        webhook_emit(
            event=WebhookEvent.TICKET_SOLVED,
            key=f"ticket.solved:{ticket.pk}:{uuid.uuid4().hex[:12]}",
            data={"ticket": notifications.ticket_webhook_data(ticket)},
        )


def ticket_reply(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    visibility: ReplyVisibility,
    attachments: Sequence[Upload] = (),
) -> Reply:
    """Add a public reply or an internal note. The first public reply by a specialist
    stops the SLA clock; public specialist replies are emailed to the requester."""
    if visibility == ReplyVisibility.INTERNAL and not can_write_internal_note(author):
        raise PermissionDenied(INTERNAL_NOTE_FORBIDDEN)
    if not can_reply_to_ticket(author, ticket):
        raise PermissionDenied(REPLY_NOT_ALLOWED)
    body = clean_text(
        body,
        field="body",
        max_length=REPLY_MAX,
        required_message=REPLY_REQUIRED,
        too_long_message=REPLY_TOO_LONG,
    )
    if attachments:
        attachments_check(attachments)
    now = timezone.now()
    with atomic_with_files():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        reply = Reply.objects.create(
            ticket=ticket, author=author, body=body, visibility=visibility, created_at=now
        )
        if attachments:
            attachments_add(ticket=ticket, reply=reply, uploaded_by=author, uploads=attachments)
        if visibility == ReplyVisibility.PUBLIC and is_agent(author):
            # Conditional update: of two racing replies exactly one is the first.
            stopped = Ticket.objects.filter(pk=ticket.pk, answered_at__isnull=True).update(
                answered_at=now, sla_next_check_at=None
            )
            if stopped:
                ticket.answered_at = now
                _event(ticket, TicketEventKind.FIRST_REPLY, actor=author, at=now)
            if ticket.status in (TicketStatus.NEW, TicketStatus.OPEN):
                _set_status(ticket, TicketStatus.WAITING_ON_CUSTOMER, author)
            outbox_enqueue(
                kind=notifications.TICKET_REPLY,
                key=f"{notifications.TICKET_REPLY}:{reply.pk}",
                payload={"reply_id": reply.pk},
            )
        elif not is_agent(author) and ticket.status != TicketStatus.OPEN:
            _set_status(ticket, TicketStatus.OPEN, author)
        if visibility == ReplyVisibility.PUBLIC:
            webhook_emit(
                event=WebhookEvent.TICKET_REPLIED,
                key=f"ticket.replied:{reply.pk}",
                data={
                    "ticket": notifications.ticket_webhook_data(ticket),
                    "reply": {
                        "id": reply.pk,
                        "by": "specialist" if is_agent(author) else "customer",
                        "body": reply.body,
                        "created_at": reply.created_at,
                    },
                },
            )
    return reply


def ticket_assign(*, ticket: Ticket, assignee: User | None, actor: User) -> Ticket:
    if not is_agent(actor) or (assignee is not None and not is_agent(assignee)):
        raise PermissionDenied(STAFF_ONLY)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.assignee_id == (assignee.pk if assignee else None):
            return ticket
        _event(
            ticket,
            TicketEventKind.ASSIGNED,
            actor=actor,
            from_value=ticket.assignee or "",
            to_value=assignee or "",
        )
        ticket.assignee = assignee
        if ticket.status == TicketStatus.NEW:
            _event(ticket, TicketEventKind.STATUS, actor=actor, from_value="new", to_value="open")
            ticket.status = TicketStatus.OPEN
        ticket.save(update_fields=["assignee", "status", "updated_at"])
        _inbox_claimed(ticket)
    return ticket


def ticket_set_status(*, ticket: Ticket, status: TicketStatus, actor: User) -> Ticket:
    if not is_agent(actor):
        raise PermissionDenied(STAFF_ONLY)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        _set_status(ticket, TicketStatus(status), actor)
    return ticket


def ticket_solve_by_customer(*, ticket: Ticket, customer: User) -> Ticket:
    """The requester says their problem is solved: recorded in the history as theirs."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.requester_id != customer.pk:
            raise PermissionDenied(NOT_YOUR_TICKET)
        if not ticket.is_open:
            raise ValidationError(ALREADY_SOLVED)
        _set_status(ticket, TicketStatus.SOLVED, customer)
    return ticket


def ticket_reopen_by_customer(*, ticket: Ticket, customer: User) -> Ticket:
    """The requester reopens a solved ticket within TICKET_CUSTOMER_REOPEN_DAYS of its
    solving; an unanswered ticket's deadline is watched again."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.requester_id != customer.pk:
            raise PermissionDenied(NOT_YOUR_TICKET)
        if ticket.status != TicketStatus.SOLVED:
            raise ValidationError(NOT_SOLVED)
        if not ticket_reopen_allowed(ticket):
            raise ValidationError(REOPEN_WINDOW_PASSED)
        _set_status(ticket, TicketStatus.OPEN, customer)
        ticket.sla_next_check_at = next_check_at(ticket)
        ticket.save(update_fields=["sla_next_check_at"])
    return ticket


def ticket_reopen_allowed(ticket: Ticket) -> bool:
    """Whether the requester may still reopen it (the page shows the button by this)."""
    if ticket.status != TicketStatus.SOLVED:
        return False
    solved_at = ticket_solved_at(ticket)
    window = timedelta(days=settings.TICKET_CUSTOMER_REOPEN_DAYS)
    return solved_at is not None and timezone.now() <= solved_at + window


def ticket_solved_at(ticket: Ticket) -> datetime | None:
    """When the ticket was last solved, from its history (the change that solved it)."""
    event = (
        ticket.events.filter(kind=TicketEventKind.STATUS, to_value=TicketStatus.SOLVED)
        .order_by("-created_at", "-id")
        .first()
    )
    return event.created_at if event else None


def ticket_reclassify(
    *, ticket: Ticket, business_critical: bool, reason: str, actor: User
) -> Ticket:
    """Change the business-critical classification; the deadline is recomputed from the
    submission time and the change is recorded with its reason."""
    if not is_agent(actor):
        raise PermissionDenied(STAFF_ONLY)
    reason = clean_line(
        reason,
        field="reason",
        max_length=RECLASSIFY_REASON_MAX,
        required_message=RECLASSIFY_REASON_REQUIRED,
        too_long_message=RECLASSIFY_REASON_TOO_LONG,
    )
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.business_critical == business_critical:
            raise ValidationError({"business_critical": RECLASSIFY_UNCHANGED})
        if business_critical and (
            ticket.requester_role != Role.SUPER_ADMIN or ticket.channel != TicketChannel.EMAIL
        ):
            raise ValidationError({"business_critical": RECLASSIFY_NOT_SUPER_ADMIN})
        old_due = ticket.due_at
        ticket.business_critical = business_critical
        now = timezone.now()
        apply_deadline(
            item=ticket,
            start=ticket.created_at,
            policy=policy_for(
                super_admin=ticket.requester_role == Role.SUPER_ADMIN,
                business_critical=business_critical,
            ),
            account_id=ticket.account_id,
        )
        if ticket.answered_at is None and ticket.due_at > now:
            # The new deadline is still ahead: the escalation starts over.
            ticket.breached_at = None
            ticket.escalation_level = 0
            if ticket.warn_at is not None and ticket.warn_at > now:  # set by apply_deadline
                ticket.warned_at = None
        ticket.sla_next_check_at = next_check_at(ticket)
        ticket.full_clean()
        ticket.save()
        _event(
            ticket,
            TicketEventKind.RECLASSIFIED,
            actor=actor,
            from_value="business-critical" if not business_critical else "standard",
            to_value="business-critical" if business_critical else "standard",
            reason=(
                f"{reason} (deadline {old_due:%Y-%m-%d %H:%M} UTC → "
                f"{ticket.due_at:%Y-%m-%d %H:%M} UTC)"
            ),
        )
        audit_record(
            instance=ticket,
            actor=actor,
            changes={
                "business_critical": [str(not business_critical), str(business_critical)],
                "due_at": [old_due.isoformat(), ticket.due_at.isoformat()],
            },
            reason=reason,
        )
    return ticket


def ticket_reply_reopening(*, ticket: Ticket, author: User, body: str) -> Reply:
    """A customer's public reply that opens a solved ticket again (the solved email says
    a reply does); a closed ticket stays closed and the reply is refused."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if (
            ticket.status == TicketStatus.SOLVED
            and is_customer(author)
            and can_view_customer_item(author, ticket)
        ):
            _set_status(ticket, TicketStatus.OPEN, author)
        return ticket_reply(
            ticket=ticket, author=author, body=body, visibility=ReplyVisibility.PUBLIC
        )
