"""Staff two-factor pages, inside the admin's look: status, setup (QR code), recovery codes,
verification after login, and turning it off. The rules are in accounts.two_factor."""

from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.forms import SecondFactorCodeForm
from accounts.http import AuthenticatedHttpRequest

# Recovery codes wait here between the POST that made them and the one page that shows them.
NEW_CODES_SESSION_KEY = "two_factor_new_recovery_codes"


def _staff(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


def _verified(request: HttpRequest) -> bool:
    # django-otp's middleware gives the request's user `is_verified`.
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")  # the inbox for agents, the admin index for other staff


def _verify_first(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': request.path})}")


def _render(
    request: HttpRequest, template: str, title: str, context: dict[str, Any]
) -> HttpResponse:
    # The admin's header and user links, without its app sidebar: these pages are also
    # shown to sessions that may not open the admin yet.
    page = {
        **admin.site.each_context(request),
        "is_nav_sidebar_enabled": False,
        "available_apps": [],
        "title": title,
        **context,
    }
    return render(request, template, page)


def _verified_with(request: HttpRequest, device: Device) -> None:
    otp_login(request, device)
    # A new session key for the now stronger session: one fixed before cannot ride along.
    request.session.cycle_key()


def _overview(
    request: AuthenticatedHttpRequest, disable_form: SecondFactorCodeForm
) -> HttpResponse:
    user = request.user
    enrolled = two_factor.second_factor_enrolled(user=user)
    return _render(
        request,
        "accounts/two_factor/overview.html",
        _("Two-factor authentication"),
        {
            "enrolled": enrolled,
            "team_requires": settings.STAFF_REQUIRE_2FA,
            "codes_left": two_factor.recovery_codes_left(user=user) if enrolled else 0,
            "disable_form": disable_form,
        },
    )


@login_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff(request)
    if two_factor.second_factor_enrolled(user=request.user) and not _verified(request):
        return _verify_first(request)
    return _overview(request, SecondFactorCodeForm(autofocus=False))


@login_required
@require_POST
def enroll_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff(request)
    try:
        two_factor.totp_enroll_start(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("two_factor")
    return redirect("two_factor_enroll")


def _setup_details(device: TOTPDevice) -> dict[str, str]:
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    return {
        # Light modules drawn explicitly: the code must stay readable in the admin's dark theme.
        "qr_data_uri": qr.svg_data_uri(scale=5, border=4, dark="#000", light="#fff"),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


@login_required
def enroll(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff(request)
    device = two_factor.totp_pending_device_for(user=request.user)
    if device is None:
        return redirect("two_factor")
    form = SecondFactorCodeForm(request.POST or None, app_only=True)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.totp_enroll_confirm(
                user=request.user, device=device, token=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            _verified_with(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("two_factor_recovery_codes")
    return _render(
        request,
        "accounts/two_factor/enroll.html",
        _("Set up two-factor authentication"),
        {"form": form, **_setup_details(device)},
    )


@login_required
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The new codes, once: reloading the page does not show them again."""
    _staff(request)
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("two_factor")
    return _render(
        request,
        "accounts/two_factor/recovery_codes.html",
        _("Your recovery codes"),
        {"codes": codes},
    )


@login_required
@require_POST
def recovery_codes_regenerate(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff(request)
    if not _verified(request):
        return _verify_first(request)
    try:
        codes = two_factor.recovery_codes_regenerate(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("two_factor")
    request.session[NEW_CODES_SESSION_KEY] = codes
    return redirect("two_factor_recovery_codes")


@login_required
@require_POST
def disable(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff(request)
    if not _verified(request):
        return _verify_first(request)
    form = SecondFactorCodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor.second_factor_disable(user=request.user, token=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("two_factor")
    return _overview(request, form)


@login_required
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """After the password: the authenticator code or a recovery code."""
    _staff(request)
    next_url = _next_url(request)
    if _verified(request):
        return redirect(next_url)
    if not two_factor.second_factor_enrolled(user=request.user):
        return redirect("two_factor")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.second_factor_verify(
                user=request.user, token=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            _verified_with(request, device)
            if isinstance(device, StaticDevice):
                left = two_factor.recovery_codes_left(user=request.user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(count)d is left. Generate new codes "
                        "under Two-factor authentication.",
                        "You used a recovery code; %(count)d are left. Generate new codes "
                        "under Two-factor authentication.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
    return _render(
        request,
        "accounts/two_factor/verify.html",
        _("Two-factor authentication"),
        {"form": form, "next": next_url},
    )
