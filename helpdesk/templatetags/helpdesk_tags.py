from django import template
from django.utils.translation import ngettext

from helpdesk.core.timefmt import time_left

register = template.Library()


@register.filter
def allowed_time(ticket) -> str:
    """How long the SLA allowed for the first reply, in words: "30 minutes", "1 hour"."""
    minutes = round((ticket.due_at - ticket.created_at).total_seconds() / 60)
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


register.filter("time_left", time_left)


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
