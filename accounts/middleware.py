"""Staff sessions that still owe a second factor reach no staff view: the middleware
refuses every view but a few open ones; @second_factor_verified_required says the same
on views that must refuse even if the middleware were left out."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.two_factor import second_factor_enrolled, session_second_factor_ok

SECOND_FACTOR_NEEDED = _("Enter the code from your authenticator app to continue.")
SECOND_FACTOR_SETUP_NEEDED = _("Set up two-factor authentication to continue.")


def _background(request: HttpRequest) -> bool:
    """fetch(), XHR (the admin's autocomplete) and JSON clients get a status, not a page."""
    return (
        request.headers.get("X-Requested-With") == "XMLHttpRequest"
        or "application/json" in request.headers.get("Accept", "")
        or request.headers.get("Sec-Fetch-Dest") == "empty"
    )


def second_factor_refusal(request: HttpRequest) -> HttpResponse:
    """Send the user to verification (or to setup, when they have no app yet)."""
    enrolled = second_factor_enrolled(user=request.user)
    url = reverse("two_factor_verify" if enrolled else "two_factor")
    message = SECOND_FACTOR_NEEDED if enrolled else SECOND_FACTOR_SETUP_NEEDED
    if request.path.startswith("/api/"):
        # The REST API's one error shape (helpdesk/api/errors.py), which its clients parse.
        error = {"code": "second_factor_required", "message": str(message), "fields": {}}
        return JsonResponse({"error": error}, status=403)
    if _background(request):
        return JsonResponse(
            {"error": "second_factor_required", "detail": str(message), "url": url}, status=403
        )
    # After a refused POST the page itself (GET) is the place to come back to.
    back = request.get_full_path() if request.method == "GET" else request.path
    return redirect(f"{url}?{urlencode({'next': back})}")


# What a staff session that still owes its second factor may reach: the 2FA pages
# themselves, logging in and out (portal and admin), password reset, the language switch
# and the health check. Everything else (the admin, ticket pages, replies, callbacks,
# drafts in the knowledge base, the console) waits for the code.
OPEN_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "admin:login",
        "admin:logout",
        "set_language",
        "healthz",
        "password_reset",
        "admin_password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)


class StaffSecondFactorMiddleware:
    """Every view refuses a staff session that owes a second factor, except the few in
    OPEN_URL_NAMES and the two-factor pages. After django-otp's OTPMiddleware;
    URL-based, so views added later are covered without being listed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not (user.is_authenticated and user.is_staff):
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if name in OPEN_URL_NAMES or (match and match.url_name in ("login", "logout")):
            return None
        if name.startswith("two_factor"):
            return None
        if session_second_factor_ok(user=user, session=request.session):
            return None
        return second_factor_refusal(request)


def second_factor_verified_required(view: Callable[..., HttpResponse]) -> Callable:
    """For staff views outside the admin: refuse a session that still owes a second factor.
    Customers and anonymous users pass through to the view's own checks."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not session_second_factor_ok(user=request.user, session=request.session):
            return second_factor_refusal(request)
        return view(request, *args, **kwargs)

    return wrapped
