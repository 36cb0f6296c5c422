"""Authentication backends."""

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes with a request (the portal's
    login, the admin's, any API). A call without one is the code's own (the test client,
    a management command): there is no client address to throttle, so it passes on to
    the next backend instead of raising."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
