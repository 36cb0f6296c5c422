"""Per-client throttling on the shared atomic counter (helpdesk/core/ratelimit.py, the
one the pages' limits use): API_RATE_LIMIT_PER_MINUTE requests per token, else per
signed-in user, else per client address. DRF's own throttle keeps a list in the cache and
is not atomic, so concurrent requests could all slip under it."""

import time
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from helpdesk.core.ratelimit import client_address, rate_limit_take

WINDOW_SECONDS = 60


def api_client_ident(request: Request) -> str:
    token = request.auth
    if token is not None and getattr(token, "pk", None) is not None:
        return f"token:{token.pk}"
    if request.user and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"addr:{client_address(request._request)}"


class ApiClientThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        return rate_limit_take(
            scope="api",
            ident=api_client_ident(request),
            limit=settings.API_RATE_LIMIT_PER_MINUTE,
            window=WINDOW_SECONDS,
        )

    def wait(self) -> float:
        """Seconds until the counter's window starts again."""
        return WINDOW_SECONDS - (time.time() % WINDOW_SECONDS)
