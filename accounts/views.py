from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.generic.base import ContextMixin

from accounts.forms import ProfileForm
from accounts.http import AuthenticatedHttpRequest
from accounts.middleware import second_factor_verified_required
from accounts.models import User
from accounts.notifications import reset_link_lifetime
from accounts.permissions import is_agent, is_customer
from accounts.profile import user_profile_update, user_time_zone_detect
from accounts.selectors import (
    HOW_TO_GET_PREMIUM,
    entitlement_for,
    premium_support_status,
    subscriptions_for_account,
)
from accounts.services import (
    password_reset_complete,
    password_reset_request,
    staff_availability_set,
)
from helpdesk.core.errors import validation_errors
from helpdesk.core.ratelimit import client_address


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not is_customer(user):
        if is_agent(user):
            return redirect("staff_inbox")  # the staff's landing page
        if user.is_staff:
            return redirect("admin:index")  # staff outside the agent groups: the admin
        return render(request, "accounts/no_account.html")
    now = timezone.now()
    account = user.account
    assert account is not None  # a customer has an account
    subscriptions = subscriptions_for_account(account=account)
    return render(
        request,
        "accounts/home.html",
        {
            "account": account,
            "subscriptions": [(s, s.is_active_at(now)) for s in subscriptions],
            "premium": premium_support_status(account=account, at=now),
            "entitlement": entitlement_for(user=user, request=request, at=now),
            "how_to_get_premium": HOW_TO_GET_PREMIUM,
        },
    )


LOCKED_OUT = _(
    "Too many failed logins for this account from your address. Try again in "
    "%(minutes)s, or reset your password."
)


def login_locked_out(
    request: HttpRequest,
    response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' lockout answer: the login page again (the portal's or the admin's),
    with a translated explanation, and 429 so scripts can tell."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = LOCKED_OUT % {
        "minutes": ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    }
    admin = request.path.startswith("/admin/")
    form_class = AdminAuthenticationForm if admin else AuthenticationForm
    # Bound (the email stays filled in) but never validated: validating would try to
    # authenticate again. The lockout message is its only error.
    form = form_class(request, data=request.POST or None)
    form.cleaned_data = {}
    vars(form)["_errors"] = ErrorDict()  # what full_clean() starts from
    form.add_error(None, message)
    template = "admin/login.html" if admin else "registration/login.html"
    context = {"form": form, "next": request.POST.get("next", ""), "locked_out": True}
    if admin:
        from django.contrib import admin as django_admin

        context.update(django_admin.site.each_context(request))
    return render(request, template, context, status=429)


class _ResetLinkLifetime(ContextMixin):
    """Pages that mention how long a reset link works."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs, link_lifetime=reset_link_lifetime())


class ResetRequestView(auth_views.PasswordResetView):
    """Ask for a reset link by email. Every valid request gets the same "check your
    email" page: an unknown or inactive address, or one over its limit, looks the same."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        password_reset_request(
            email=form.cleaned_data["email"],
            client=client_address(self.request),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        return HttpResponseRedirect(self.get_success_url())


class ResetSentView(_ResetLinkLifetime, auth_views.PasswordResetDoneView):
    pass


class ResetConfirmView(_ResetLinkLifetime, auth_views.PasswordResetConfirmView):
    """Choose a new password from the emailed link; an expired or used link gets
    Django's invalid-link page (validlink false)."""

    def form_valid(self, form: "SetPasswordForm[User]") -> HttpResponse:
        response = super().form_valid(form)
        password_reset_complete(user=form.user, client=client_address(self.request))
        return response


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's language and time zone. Saving sets the language cookie too, so the
    next page is in the chosen language."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                user_profile_update(
                    user=user,
                    language=form.cleaned_data["language"],
                    time_zone=form.cleaned_data["time_zone"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                with translation.override(user.language):
                    messages.success(request, translation.gettext("Your profile was saved."))
                response = redirect("profile")
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                )
                return response
        return render(request, "accounts/profile.html", {"form": form}, status=400)
    form = ProfileForm(
        initial={
            "language": user.language or translation.get_language(),
            "time_zone": user.time_zone,
        }
    )
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_POST
def time_zone_detect(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The browser's time zone, sent once by portal.js while none was chosen."""
    try:
        saved = user_time_zone_detect(
            user=request.user, time_zone=request.POST.get("time_zone", "")
        )
    except ValidationError as exc:
        return JsonResponse({"errors": validation_errors(exc)}, status=400)
    return JsonResponse({"saved": saved, "time_zone": request.user.time_zone})


NOW_AVAILABLE = _("You are available: new chats and tickets can come to you.")
NOW_AWAY = _("You are away: no new chats or tickets come to you.")


@login_required
@second_factor_verified_required
@require_POST
def staff_availability(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Available / Away, from the toggle in the admin header."""
    available = request.POST.get("available") == "1"
    # Refused (PermissionDenied: 403) for anyone but specialists and leads.
    staff_availability_set(user=request.user, available=available)
    messages.success(request, NOW_AVAILABLE if available else NOW_AWAY)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:index")
    return HttpResponseRedirect(target)
