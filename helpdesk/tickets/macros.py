"""Macros (canned answers): leads write them, specialists send replies made from them.

A macro's text is filled for one ticket by `macro_render` (plain substitution, see
helpdesk.tickets.placeholders); `ticket_compose` sends the composer's message and, when
it came from a macro with a status, sets that status in the same transaction."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.core.files import Upload, atomic_with_files
from helpdesk.core.textclean import clean_line, clean_text, limit_message
from helpdesk.tickets import services
from helpdesk.tickets.models import Macro, Reply, ReplyVisibility, Ticket, TicketStatus
from helpdesk.tickets.permissions import can_manage_macros, can_use_macros
from helpdesk.tickets.placeholders import placeholders_fill

NAME_MAX = 100
BODY_MAX = 20_000

MACROS_LEADS_ONLY = _("Only leads can change macros.")
MACROS_STAFF_ONLY = _("Only specialists and leads can use macros.")
MACRO_NAME_REQUIRED = _("Give the macro a name.")
MACRO_NAME_TOO_LONG = limit_message(_("Keep the name to {limit} characters or fewer."), NAME_MAX)
MACRO_BODY_REQUIRED = _("Write the macro's text.")
MACRO_BODY_TOO_LONG = limit_message(_("Keep the text to {limit} characters or fewer."), BODY_MAX)


@dataclass(frozen=True)
class RenderedMacro:
    macro: Macro
    text: str
    status: TicketStatus | None


def macro_save(*, macro: Macro | None, name: str, body: str, status: str, actor: User) -> Macro:
    """Create (`macro` None) or change a macro. Its placeholders are checked by the
    model's clean(): an unknown one is refused with the list of known ones."""
    if not can_manage_macros(actor):
        raise PermissionDenied(MACROS_LEADS_ONLY)
    macro = macro if macro is not None else Macro()
    macro.name = clean_line(
        name,
        field="name",
        max_length=NAME_MAX,
        required_message=MACRO_NAME_REQUIRED,
        too_long_message=MACRO_NAME_TOO_LONG,
    )
    macro.body = clean_text(
        body,
        field="body",
        max_length=BODY_MAX,
        required_message=MACRO_BODY_REQUIRED,
        too_long_message=MACRO_BODY_TOO_LONG,
    )
    macro.status = status or ""
    with transaction.atomic():
        macro.full_clean()
        macro.save()
    return macro


def macro_delete(*, macro: Macro, actor: User) -> None:
    if not can_manage_macros(actor):
        raise PermissionDenied(MACROS_LEADS_ONLY)
    with transaction.atomic():
        Macro.objects.filter(pk=macro.pk).delete()


def _deadline_text(ticket: Ticket) -> str:
    """The first-reply deadline in the requester's time zone, as the emails write it."""
    try:
        zone = ZoneInfo(ticket.requester.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    due: datetime = ticket.due_at.astimezone(zone)
    return f"{due:%Y-%m-%d %H:%M} {due.tzname()}"


def macro_values(*, ticket: Ticket) -> dict[str, str]:
    requester = ticket.requester
    return {
        # One line, controls removed: a name is inserted into a reply as plain text.
        "customer_name": clean_line(requester.get_full_name() or requester.email, max_length=None),
        "ticket_number": f"#{ticket.pk}",
        "deadline": _deadline_text(ticket),
    }


def macro_render(*, macro: Macro, ticket: Ticket, actor: User) -> RenderedMacro:
    """The macro's text for this ticket, and the status it will set when sent."""
    if not can_use_macros(actor):
        raise PermissionDenied(MACROS_STAFF_ONLY)
    return RenderedMacro(
        macro=macro,
        text=placeholders_fill(macro.body, macro_values(ticket=ticket)),
        status=TicketStatus(macro.status) if macro.status else None,
    )


def ticket_compose(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    visibility: ReplyVisibility,
    macro: Macro | None = None,
    attachments: Sequence[Upload] = (),
) -> Reply:
    """Send what the ticket page's composer holds: a reply or an internal note with its
    files (the reply's attachment rules, in ticket_reply) and, when it was made from a
    macro that sets a status, that status. All or nothing: a refused status change takes
    the reply and its files back with it."""
    if macro is not None and not can_use_macros(author):
        raise PermissionDenied(MACROS_STAFF_ONLY)
    with atomic_with_files():
        reply = services.ticket_reply(
            ticket=ticket, author=author, body=body, visibility=visibility, attachments=attachments
        )
        if macro is not None and macro.status:
            services.ticket_set_status(
                ticket=ticket, status=TicketStatus(macro.status), actor=author
            )
    return reply


DEMO_MACROS = (
    (
        "Acknowledge and investigating",
        "Hello {{customer_name}},\n\nThank you for contacting Premium Support about ticket "
        "{{ticket_number}}. A specialist is investigating now and will update you shortly.\n\n"
        "Best regards,\nPremium Support",
        "",
    ),
    (
        "Need more details",
        "Hello {{customer_name}},\n\nTo move ticket {{ticket_number}} forward, could you send "
        "the steps to reproduce the problem, a screenshot and the time it last happened?\n\n"
        "Best regards,\nPremium Support",
        TicketStatus.WAITING_ON_CUSTOMER,
    ),
    (
        "Resolved, closing",
        "Hello {{customer_name}},\n\nWe have fixed the problem described in ticket "
        "{{ticket_number}}. I am marking it solved; reply to this email if anything is "
        "still wrong and it opens again.\n\nBest regards,\nPremium Support",
        TicketStatus.SOLVED,
    ),
)


def demo_macros_seed() -> None:
    """The demo's canned answers (manage.py seed_demo); existing ones are left as they are."""
    for name, body, status in DEMO_MACROS:
        Macro.objects.get_or_create(name=name, defaults={"body": body, "status": status})
