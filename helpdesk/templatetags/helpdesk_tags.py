from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def allowed_time(ticket) -> str:  # noqa: ANN001
    """How long the SLA allowed for the first reply, in words: "30 minutes", "1 hour"."""
    minutes = round((ticket.due_at - ticket.created_at).total_seconds() / 60)
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


@register.filter
def time_left(due_at: datetime | None) -> str:
    """Signed time to a deadline: "in 25 min", "12 min late"."""
    if due_at is None:
        return ""
    seconds = int((due_at - timezone.now()).total_seconds())
    minutes = abs(seconds) // 60
    text = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    return f"in {text}" if seconds >= 0 else f"{text} late"


@register.filter
def phone_display(e164: str) -> str:
    """+14155550101 -> +1 415-555-0101, for reading; storage stays E.164."""
    import phonenumbers

    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164
