"""Staff two-factor authentication: an authenticator app (TOTP) plus single-use recovery
codes, both django-otp devices. Who owes a second factor, enrolment, verification and
turning it off. Sessions remember the verifying device under django-otp's session key."""

import math
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from helpdesk.core.textclean import StrOrPromise

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

CODE_INVALID = _(
    "That code is not valid. Enter the current 6-digit code from your authenticator app, "
    "or one of your unused recovery codes."
)
ENROLL_CODE_INVALID = _(
    "That code is not valid. Enter the 6-digit code your authenticator app shows now "
    "for Premium Desk."
)
ALREADY_ENROLLED = _(
    "Two-factor authentication is already set up. Turn it off first to set it up again."
)
NOT_ENROLLED = _("Two-factor authentication is not set up for your account.")
NO_PENDING_SETUP = _("Start the setup again: this setup is no longer valid.")


def too_many_attempts(seconds: int) -> str:
    """django-otp's throttling: each wrong code doubles the wait before the next try."""
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second, then try again.",
        "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
        seconds,
    ) % {"seconds": seconds}


# Selectors.


def second_factor_enrolled(*, user: User | AnonymousUser) -> bool:
    """A confirmed authenticator app: the user has finished setting up two-factor."""
    if not user.is_authenticated:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_required(*, user: User | AnonymousUser) -> bool:
    """Staff owe a second factor when the team requires it, and always once they enrolled:
    a user who set it up expects it to protect the account whatever the setting says."""
    if not (user.is_authenticated and user.is_staff):
        return False
    return settings.STAFF_REQUIRE_2FA or second_factor_enrolled(user=user)


def session_second_factor_ok(*, user: User | AnonymousUser, session: Mapping[str, Any]) -> bool:
    """May this session act as staff? True when the user owes no second factor, or when the
    session's verifying device is a confirmed device of this user. Synchronous (ORM); the
    WebSocket consumers call it with the scope's session through database_sync_to_async."""
    if not (user.is_authenticated and user.is_staff):
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if persistent_id:
        device = Device.from_persistent_id(persistent_id)
        if device is not None and device.user_id == user.pk and device.confirmed:
            return True
    return not second_factor_required(user=user)


def totp_pending_device_for(*, user: User) -> TOTPDevice | None:
    """The authenticator app being set up (shown as a QR code, not yet confirmed)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Services.


def _require_staff(user: User) -> None:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise PermissionDenied


def _throttled(device: TOTPDevice | StaticDevice) -> str | None:
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (details or {}).get("locked_until")
    seconds = (locked_until - timezone.now()).total_seconds() if locked_until else 1
    return too_many_attempts(max(1, math.ceil(seconds)))


def _token_error(
    device: TOTPDevice | StaticDevice, token: str, *, invalid: StrOrPromise
) -> str | None:
    """The throttling message, `invalid`, or None when the device accepts the token. A
    wrong code counts towards throttling: callers raise only after their transaction
    commits, so that count is never rolled back."""
    if message := _throttled(device):
        return message
    return None if device.verify_token(token) else str(invalid)


def _normalise(token: str) -> str:
    # People copy recovery codes with spaces or dashes, and type them in capitals.
    return re.sub(r"[\s-]", "", token).lower()


def _recovery_codes_create(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_enroll_start(*, user: User) -> TOTPDevice:
    """A new authenticator secret, unconfirmed until the user proves the app shows its codes.
    Starting again replaces an unfinished setup, so only the latest QR code works."""
    _require_staff(user)
    if second_factor_enrolled(user=user):
        raise ValidationError(ALREADY_ENROLLED, code="enrolled")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice(user=user, name=AUTHENTICATOR_DEVICE_NAME, confirmed=False)
    device.full_clean()
    device.save()
    return device


def totp_enroll_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the app with a code it shows and return the new recovery codes (shown once)."""
    _require_staff(user)
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user).first()
        if locked is None or locked.confirmed:
            error: str | None = str(NO_PENDING_SETUP)
        else:
            error = _token_error(locked, _normalise(token), invalid=ENROLL_CODE_INVALID)
        if error is None:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            codes = _recovery_codes_create(user=user)
    if error is not None:
        raise ValidationError(error, code="invalid")
    device.refresh_from_db()
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    _require_staff(user)
    if not second_factor_enrolled(user=user):
        raise ValidationError(NOT_ENROLLED, code="not_enrolled")
    return _recovery_codes_create(user=user)


def second_factor_verify(*, user: User, token: str) -> TOTPDevice | StaticDevice:
    """The device that accepts `token`: six digits go to the authenticator app, anything
    else is a recovery code, which is used up. Raises ValidationError (invalid, throttled)."""
    _require_staff(user)
    token = _normalise(token)
    model = TOTPDevice if re.fullmatch(r"\d{6}", token) else StaticDevice
    with transaction.atomic():
        device = (
            model.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            error: str | None = str(CODE_INVALID)
        else:
            error = _token_error(device, token, invalid=CODE_INVALID)
    if error is not None:
        raise ValidationError(error, code="invalid")
    return device


def second_factor_disable(*, user: User, token: str) -> None:
    """Turn two-factor off (to change phones, or where it is optional); a current code or
    a recovery code proves the request comes from the owner of the app."""
    _require_staff(user)
    if not second_factor_enrolled(user=user):
        raise ValidationError(NOT_ENROLLED, code="not_enrolled")
    second_factor_verify(user=user, token=token)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
