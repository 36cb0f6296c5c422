"""How the portal writes times: shared by templates (helpdesk_tags) and admin columns."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext


def duration(seconds: int) -> str:
    """A translated length of time to the minute: "25 min", "1 h 05 min"."""
    minutes = abs(seconds) // 60
    if minutes >= 60:
        return gettext("%(hours)d h %(minutes)02d min") % {
            "hours": minutes // 60,
            "minutes": minutes % 60,
        }
    return gettext("%(minutes)d min") % {"minutes": minutes}


def time_left(due_at: datetime | None) -> str:
    """Signed time to a deadline, translated: "in 25 min", "12 min late"."""
    if due_at is None:
        return ""
    seconds = int((due_at - timezone.now()).total_seconds())
    text = duration(seconds)
    if seconds >= 0:
        return gettext("in %(duration)s") % {"duration": text}
    return gettext("%(duration)s late") % {"duration": text}
