"""How the portal writes times: shared by templates (helpdesk_tags) and admin columns."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone, translation
from django.utils.formats import date_format
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


def zone_of(name: str) -> ZoneInfo:
    """A user's saved zone, UTC when it is empty or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_datetime(value: datetime, zone_name: str, language: str = "en") -> str:
    """A moment in a user's own zone, in the one style of a language (helpdesk/formats):
    for text written once and kept (a chat's transcript in a ticket), where no request's
    zone and language are active."""
    with translation.override(language):
        return date_format(timezone.localtime(value, zone_of(zone_name)), "DATETIME_FORMAT")
