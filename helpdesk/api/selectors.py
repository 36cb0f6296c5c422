"""Reads for personal API tokens: a user's list, and the token a request presents."""

import hmac

from django.db.models import QuerySet

from accounts.models import User
from helpdesk.api.models import ApiToken
from helpdesk.api.services import PREFIX_LENGTH, TOKEN_PREFIX, secret_digest


def api_token_list_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_get_for(*, user: User, token_id: int) -> ApiToken | None:
    return ApiToken.objects.filter(user=user, pk=token_id).first()


def api_token_find(*, presented: str) -> ApiToken | None:
    """The active token a request presents, with its user, if the secret matches and
    the user is still active; None otherwise (unknown, revoked, wrong secret)."""
    if not presented.startswith(TOKEN_PREFIX) or len(presented) > 100:
        return None
    # The secret is URL-safe base64 and may hold "_": the prefix has a fixed length.
    prefix, sep = presented[:PREFIX_LENGTH], presented[PREFIX_LENGTH : PREFIX_LENGTH + 1]
    secret = presented[PREFIX_LENGTH + 1 :]
    if sep != "_" or not secret:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, secret_digest(secret)):
        return None
    return token
