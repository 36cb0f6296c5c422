"""Premium phone support: every write to callback requests and their calls."""

from datetime import timedelta
from typing import TYPE_CHECKING

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import PremiumChannel, User
from accounts.permissions import can_view_customer_item, is_agent, is_customer
from accounts.selectors import Entitlement, entitlement_for
from helpdesk.callbacks import notifications
from helpdesk.callbacks.models import (
    CallbackAttempt,
    CallbackOutcome,
    CallbackRequest,
    CallbackStatus,
)
from helpdesk.callbacks.notifications import callback_webhook_data
from helpdesk.core.outbox.services import outbox_enqueue
from helpdesk.core.ratelimit import rate_limit_give_back, rate_limit_take
from helpdesk.core.realtime import STAFF_GROUP, broadcast_on_commit
from helpdesk.core.textclean import clean_line, clean_text, limit_message
from helpdesk.core.webhooks.events import WebhookEvent
from helpdesk.core.webhooks.services import webhook_emit
from helpdesk.tickets.choices import TicketChannel
from sla.inbox import ANSWERED, CALLBACK, CLAIMED, NEW, inbox_changed

if TYPE_CHECKING:  # the return type only: tickets are made through their service
    from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import ticket_create
from sla.models import SlaKind, SlaPolicy
from sla.services import next_check_at, warning_time

PHONE_INPUT_MAX = 40
TOPIC_MAX = 200
DESCRIPTION_MAX = 5_000
NOTE_MAX = 5_000
FAILED_ATTEMPTS_TO_ABANDON = 3
DUPLICATE_WINDOW = timedelta(minutes=1)

PHONE_REQUIRED = _("Enter the phone number we should call.")
PHONE_INVALID = _("Enter a valid phone number, with its country code if it is not in your country.")
PHONE_PREMIUM_RATE = _("Premium-rate numbers cannot be called back. Enter another number.")
TOPIC_REQUIRED = _("Enter a topic.")
TOPIC_TOO_LONG = limit_message(_("Keep the topic to {limit} characters or fewer."), TOPIC_MAX)
DESCRIPTION_TOO_LONG = limit_message(
    _("Keep the description to {limit} characters or fewer."), DESCRIPTION_MAX
)
NOTE_TOO_LONG = limit_message(_("Keep the note to {limit} characters or fewer."), NOTE_MAX)
RATE_LIMITED = _(
    "You have asked for a lot of callbacks in the last hour. Please wait a little before "
    "asking again, or cancel a request you no longer need."
)
CHANNEL_NOT_ALLOWED = _("Your account is not entitled to premium phone support.")
ALREADY_CLAIMED = _("Another specialist has already taken this callback.")
NOT_WAITING = _("Only a waiting callback request can be cancelled.")
NOT_HOLDER = _("Claim this callback before recording a call on it.")
HELD_BY_ANOTHER = _(
    "Another specialist holds this callback: only they can record calls on it or complete it."
)
NOT_IN_PROGRESS = _("This callback is not in progress.")
STAFF_ONLY = _("Only specialists and leads can do this.")


def phone_normalise(*, raw: str, region: str) -> str:
    """The number in E.164 form, or a ValidationError with a clear message."""
    raw = clean_line(
        raw,
        field="phone",
        max_length=PHONE_INPUT_MAX,
        required_message=PHONE_REQUIRED,
        too_long_message=PHONE_INVALID,
    )
    if not any(ch.isdigit() for ch in raw) or any(ch.isalpha() for ch in raw):
        raise ValidationError({"phone": PHONE_INVALID})
    try:
        number = phonenumbers.parse(raw, region or "US")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({"phone": PHONE_INVALID}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": PHONE_INVALID})
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.PREMIUM_RATE:
        raise ValidationError({"phone": PHONE_PREMIUM_RATE})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def callback_request_create(
    *,
    requester: User,
    phone: str,
    topic: str,
    description: str = "",
    entitlement: Entitlement | None = None,
) -> tuple[CallbackRequest, bool]:
    """Ask for a callback. Returns (request, created): the same request submitted again
    within a minute (double click, two tabs) gives back the first one."""
    if not is_customer(requester):
        raise PermissionDenied(CHANNEL_NOT_ALLOWED)
    entitlement = entitlement or entitlement_for(user=requester)
    if not entitlement.allows(PremiumChannel.PHONE):
        raise PermissionDenied(CHANNEL_NOT_ALLOWED)
    # A customer has an account.
    assert requester.account is not None and requester.account_id is not None
    errors: dict[str, list[ValidationError]] = {}
    try:
        phone = phone_normalise(raw=phone, region=requester.account.country)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        topic = clean_line(
            topic,
            field="topic",
            max_length=TOPIC_MAX,
            required_message=TOPIC_REQUIRED,
            too_long_message=TOPIC_TOO_LONG,
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        description = clean_text(
            description,
            field="description",
            max_length=DESCRIPTION_MAX,
            too_long_message=DESCRIPTION_TOO_LONG,
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    taken = False
    try:
        with transaction.atomic():
            # Serialise this user's submissions so two tabs cannot both create one.
            User.objects.select_for_update().filter(pk=requester.pk).first()
            duplicate = CallbackRequest.objects.filter(
                requester=requester,
                phone=phone,
                topic=topic,
                status=CallbackStatus.WAITING,
                created_at__gte=now - DUPLICATE_WINDOW,
            ).first()
            if duplicate is not None:
                return duplicate, False  # a resubmission: not counted against the limit
            taken = rate_limit_take(
                scope="callback",
                ident=str(requester.pk),
                limit=settings.CALLBACK_RATE_LIMIT_PER_HOUR,
            )
            if not taken:
                raise ValidationError(RATE_LIMITED)
            due = now + timedelta(minutes=settings.CALLBACK_TARGET_MINUTES)
            callback = CallbackRequest(
                account_id=requester.account_id,
                requester=requester,
                phone=phone,
                topic=topic,
                description=description,
                created_at=now,
                sla_policy=SlaPolicy.CALLBACK,
                sla_kind=SlaKind.GUARANTEED,
                due_at=due,
                warn_at=warning_time(start=now, due_at=due),
            )
            callback.sla_next_check_at = next_check_at(callback)
            callback.full_clean(
                exclude=["account", "requester", "holder", "ticket", "sla_exception"]
            )
            callback.save()
            _queue_changed()
            _inbox(callback, NEW)
            webhook_emit(
                event=WebhookEvent.CALLBACK_REQUESTED,
                key=f"callback.requested:{callback.pk}",
                data={"callback": callback_webhook_data(callback)},
            )
    except BaseException:
        # Nothing was stored (a refusal, a rolled-back write): the use is not counted.
        if taken:
            rate_limit_give_back(scope="callback", ident=str(requester.pk))
        raise
    return callback, True


def _inbox(callback: CallbackRequest, change: str, *, holder_id: int | None = None) -> None:
    inbox_changed(
        kind=CALLBACK,
        item_id=callback.pk,
        change=change,
        title=callback.topic,
        assignee_id=holder_id or callback.holder_id,
    )


def _queue_changed() -> None:
    """Tell open staff pages that the callback queue changed."""
    broadcast_on_commit(STAFF_GROUP, {"type": "queue.changed", "queue": "callback"})


def callback_cancel(*, callback: CallbackRequest, actor: User) -> CallbackRequest:
    if not can_view_customer_item(actor, callback):
        raise PermissionDenied(NOT_WAITING)
    with transaction.atomic():
        changed = CallbackRequest.objects.filter(
            pk=callback.pk, status=CallbackStatus.WAITING
        ).update(status=CallbackStatus.CANCELLED, closed_at=timezone.now(), sla_next_check_at=None)
        if not changed:
            raise ValidationError(NOT_WAITING)
        _queue_changed()
        _inbox(callback, ANSWERED)
    callback.refresh_from_db()
    return callback


def callback_claim(*, callback: CallbackRequest, specialist: User) -> CallbackRequest:
    """Take a waiting callback. The conditional update makes exactly one of two
    specialists clicking at once the holder; the other gets ALREADY_CLAIMED."""
    if not is_agent(specialist):
        raise PermissionDenied(STAFF_ONLY)
    now = timezone.now()
    with transaction.atomic():
        claimed = CallbackRequest.objects.filter(
            pk=callback.pk, status=CallbackStatus.WAITING, holder__isnull=True
        ).update(
            status=CallbackStatus.IN_PROGRESS,
            holder=specialist,
            answered_at=now,
            sla_next_check_at=None,
        )
        if not claimed:
            raise ValidationError(ALREADY_CLAIMED)
        _queue_changed()
        _inbox(callback, CLAIMED, holder_id=specialist.pk)
    callback.refresh_from_db()
    return callback


def _check_holder(callback: CallbackRequest, specialist: User) -> None:
    if not is_agent(specialist):
        raise PermissionDenied(STAFF_ONLY)
    if callback.holder_id is not None and callback.holder_id != specialist.pk:
        raise PermissionDenied(HELD_BY_ANOTHER)
    if callback.holder_id != specialist.pk:
        raise PermissionDenied(NOT_HOLDER)


def callback_attempt_record(
    *, callback: CallbackRequest, specialist: User, outcome: CallbackOutcome, note: str = ""
) -> CallbackAttempt:
    """Record one call. Three failed calls close the request as abandoned and email the
    customer; a call that reached them leaves it in progress until completed."""
    note = clean_text(note, field="note", max_length=NOTE_MAX, too_long_message=NOTE_TOO_LONG)
    with transaction.atomic():
        callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
        if callback.status != CallbackStatus.IN_PROGRESS:
            raise ValidationError(NOT_IN_PROGRESS)
        _check_holder(callback, specialist)
        attempt = CallbackAttempt.objects.create(
            callback=callback, specialist=specialist, outcome=CallbackOutcome(outcome), note=note
        )
        failed = callback.attempts.exclude(outcome=CallbackOutcome.REACHED).count()
        if outcome != CallbackOutcome.REACHED and failed >= FAILED_ATTEMPTS_TO_ABANDON:
            callback.status = CallbackStatus.ABANDONED
            callback.closed_at = timezone.now()
            callback.save(update_fields=["status", "closed_at"])
            _inbox(callback, ANSWERED)
            outbox_enqueue(
                kind=notifications.CALLBACK_ABANDONED,
                key=f"{notifications.CALLBACK_ABANDONED}:{callback.pk}",
                payload={"callback_id": callback.pk},
            )
    return attempt


def callback_complete(*, callback: CallbackRequest, specialist: User, notes: str = "") -> None:
    notes = clean_text(notes, field="notes", max_length=NOTE_MAX, too_long_message=NOTE_TOO_LONG)
    with transaction.atomic():
        callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
        if callback.status != CallbackStatus.IN_PROGRESS:
            raise ValidationError(NOT_IN_PROGRESS)
        _check_holder(callback, specialist)
        callback.status = CallbackStatus.COMPLETED
        callback.closed_at = timezone.now()
        if notes:
            callback.notes = notes
        callback.save(update_fields=["status", "closed_at", "notes"])
        _inbox(callback, ANSWERED)
        webhook_emit(
            event=WebhookEvent.CALLBACK_COMPLETED,
            key=f"callback.completed:{callback.pk}",
            data={"callback": callback_webhook_data(callback)},
        )


def callback_notes_save(*, callback: CallbackRequest, specialist: User, notes: str) -> None:
    """The specialists' notes on a callback, as edited in the admin."""
    if not is_agent(specialist):
        raise PermissionDenied(STAFF_ONLY)
    notes = clean_text(notes, field="notes", max_length=NOTE_MAX, too_long_message=NOTE_TOO_LONG)
    CallbackRequest.objects.filter(pk=callback.pk).update(notes=notes)


def callback_to_ticket(*, callback: CallbackRequest, specialist: User) -> "Ticket":
    """Open a phone ticket for the customer from this callback, linked to it. While a
    call is in progress, only its holder may."""
    if not is_agent(specialist):
        raise PermissionDenied(STAFF_ONLY)
    with transaction.atomic():
        callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
        if callback.status == CallbackStatus.IN_PROGRESS:
            _check_holder(callback, specialist)
        if callback.ticket is not None:  # no query when ticket_id is null
            return callback.ticket
        calls = "\n".join(
            f"- {a.created_at:%Y-%m-%d %H:%M} UTC {a.get_outcome_display()}: {a.note}"
            for a in callback.attempts.all()
        )
        ticket = ticket_create(
            requester=callback.requester,
            channel=TicketChannel.PHONE,
            subject=callback.topic,
            description="\n\n".join(
                part
                for part in (
                    callback.description,
                    f"Callback to {callback.phone}.",
                    calls,
                    callback.notes,
                )
                if part
            ),
            created_by=specialist,
        )
        callback.ticket = ticket
        callback.save(update_fields=["ticket"])
    return ticket
