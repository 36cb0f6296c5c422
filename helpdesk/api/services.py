"""Writes for personal API tokens: make one (its secret returned once), revoke one, and
record a use. Only a SHA-256 of the secret is stored: a token is 190 random bits, so a
fast hash is as safe as a slow one and costs nothing per request."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.api.models import ApiToken, TokenScope
from helpdesk.api.permissions import can_have_api_tokens
from helpdesk.core.textclean import clean_line, limit_message

TOKEN_PREFIX = "pd_"
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8  # "pd_" and 8 hexadecimal digits
NAME_MAX = 100
# Active tokens per user: enough for every integration, too few to lose track of.
ACTIVE_TOKENS_MAX = 20

NAME_REQUIRED = _("Name the token after what will use it.")
NAME_TOO_LONG = limit_message(_("Keep the name to {limit} characters or fewer."), NAME_MAX)
SCOPE_INVALID = _("Choose read only, or read and write.")
TOO_MANY_TOKENS = limit_message(
    _("You have {limit} active tokens. Revoke one you no longer use first."), ACTIVE_TOKENS_MAX
)
TOKENS_NOT_ALLOWED = _("API tokens are for customer users and specialists.")
NOT_YOUR_TOKEN = _("This is not one of your tokens.")


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """Make a token for `user`. Returns the row and the full token, which is never
    stored and cannot be shown again: "pd_" + 8-character prefix + "_" + secret."""
    if not can_have_api_tokens(user):
        raise PermissionDenied(TOKENS_NOT_ALLOWED)
    errors: dict[str, list[ValidationError]] = {}
    try:
        name = clean_line(
            name,
            field="name",
            max_length=NAME_MAX,
            required_message=NAME_REQUIRED,
            too_long_message=NAME_TOO_LONG,
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if scope not in TokenScope.values:
        errors["scope"] = [ValidationError(SCOPE_INVALID, code="invalid_choice")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Serialise this user's token changes so the cap holds under concurrent requests.
        User.objects.select_for_update().filter(pk=user.pk).first()
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
        if active >= ACTIVE_TOKENS_MAX:
            raise ValidationError(TOO_MANY_TOKENS, code="too_many_tokens")
        prefix = TOKEN_PREFIX + secrets.token_hex(4)
        secret = secrets.token_urlsafe(24)
        token = ApiToken(
            user=user,
            name=name,
            scope=TokenScope(scope),
            prefix=prefix,
            secret_hash=secret_digest(secret),
        )
        token.full_clean()
        token.save()
    return token, f"{prefix}_{secret}"


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token: every later request with it is refused (401). A user revokes
    their own; a superuser any (the admin)."""
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied(NOT_YOUR_TOKEN)
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record a use. Written at most once per API_TOKEN_LAST_USED_RESOLUTION_SECONDS, so a
    busy integration does not write a row on every request."""
    now = timezone.now()
    resolution = timedelta(seconds=settings.API_TOKEN_LAST_USED_RESOLUTION_SECONDS)
    if token.last_used_at is not None and now - token.last_used_at < resolution:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
