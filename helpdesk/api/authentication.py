"""How API requests sign in: a personal token (`Authorization: Bearer pd_...`), or the
browser's session with its CSRF token. A staff session that still owes its second factor
is refused here as in every page (StaffSecondFactorMiddleware); a token is a separate
credential, made in the admin behind that same second factor (docs/architecture.md)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import User
from accounts.two_factor import session_second_factor_ok
from helpdesk.api.models import ApiToken
from helpdesk.api.selectors import api_token_find
from helpdesk.api.services import api_token_touch

TOKEN_INVALID = _("This API token is not valid: it is unknown, revoked, or its user is inactive.")
TOKEN_MALFORMED = _("Send the token as: Authorization: Bearer <token>.")
SECOND_FACTOR_REQUIRED = _("Enter the code from your authenticator app to continue.")


class SecondFactorRequired(exceptions.PermissionDenied):
    default_detail = SECOND_FACTOR_REQUIRED
    default_code = "second_factor_required"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(TOKEN_MALFORMED, code="token_malformed")
        try:
            presented = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID, code="token_invalid") from exc
        token = api_token_find(presented=presented)
        if token is None:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID, code="token_invalid")
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class SecondFactorSessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (CSRF enforced on writes), refusing a staff session
    that still owes its second factor even if the middleware were left out."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, _auth = result
        if not session_second_factor_ok(user=user, session=request._request.session):
            raise SecondFactorRequired()
        return result
