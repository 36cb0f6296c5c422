"""A user's own profile: language and time zone (services; the profile page and the
one-time browser detection call them)."""

import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User

UNKNOWN_TIME_ZONE = _("Choose a time zone from the list.")
UNKNOWN_LANGUAGE = _("Choose a language from the list.")


@cache
def time_zone_names() -> tuple[str, ...]:
    """IANA zone names a user may choose (the system's database, without the legacy
    aliases such as "US/Eastern")."""
    return tuple(
        sorted(
            name
            for name in zoneinfo.available_timezones()
            if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))
        )
        + ["UTC"]
    )


def _zone(value: str) -> str:
    if value not in time_zone_names():
        raise ValidationError({"time_zone": UNKNOWN_TIME_ZONE})
    return value


def user_profile_update(*, user: User, language: str, time_zone: str) -> User:
    """The user's choice of language and time zone; the zone counts as chosen."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": UNKNOWN_LANGUAGE})
    time_zone = _zone(time_zone)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            language=language, time_zone=time_zone, time_zone_chosen=True
        )
    user.language, user.time_zone, user.time_zone_chosen = language, time_zone, True
    return user


def user_time_zone_detect(*, user: User, time_zone: str) -> bool:
    """The browser's zone, saved once: never over a zone the user chose or one saved
    before (a conditional update, so two tabs detecting at once save it once)."""
    time_zone = _zone(time_zone)
    saved = User.objects.filter(pk=user.pk, time_zone_chosen=False).update(
        time_zone=time_zone, time_zone_chosen=True
    )
    if saved:
        user.time_zone, user.time_zone_chosen = time_zone, True
    return bool(saved)
