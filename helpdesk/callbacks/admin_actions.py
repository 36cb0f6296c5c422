"""The callback queue's buttons in the admin: Claim, Record a call (one button per
outcome), Complete and Make ticket. Each is a POST to a small view that calls one
callback service and says what happened; a refusal is an error message and nothing
changes. Shared by the change list and the change page (helpdesk/callbacks/admin.py)."""

from collections.abc import Callable
from typing import TYPE_CHECKING

import phonenumbers
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import User
from helpdesk.callbacks import services
from helpdesk.callbacks.models import CallbackOutcome, CallbackRequest, CallbackStatus
from helpdesk.core.adminforms import REFUSALS, refusal_messages

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

OUTCOME_UNKNOWN = _("Choose how the call went.")
CLAIMED = _("You hold callback #%(id)s: call the customer now.")
ATTEMPT_RECORDED = _("Call recorded on callback #%(id)s: %(outcome)s.")
ABANDONED = _("Callback #%(id)s is closed after three calls without reaching the customer.")
COMPLETED = _("Callback #%(id)s is completed.")
TICKET_OPENED = _("Ticket #%(ticket)s opened from callback #%(id)s.")


def phone_for_reading(e164: str) -> str:
    """+12125550199 -> +1 212-555-0199: the international format, for reading aloud."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_link(e164: str) -> str:
    return format_html(
        '<a class="callback-phone" href="tel:{}">{}</a>', e164, phone_for_reading(e164)
    )


def waited_seconds(callback: CallbackRequest) -> int:
    end = callback.answered_at or callback.closed_at or timezone.now()
    return max(0, int((end - callback.created_at).total_seconds()))


def clock(seconds: int) -> str:
    """12:05, 1:02:09: a count that reads the same in every language."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def waited_display(callback: CallbackRequest) -> str:
    """The time waited; while the callback waits, static/js/waited.js counts it up."""
    text = clock(waited_seconds(callback))
    if callback.status == CallbackStatus.WAITING:
        return format_html(
            '<time class="waited" data-waiting-since="{}">{}</time>',
            callback.created_at.isoformat(),
            text,
        )
    return format_html('<span class="waited">{}</span>', text)


def buttons_for(
    callback: CallbackRequest, user: User, *, next_url: str, compact: bool
) -> list[tuple[str, str, str, str]]:
    """(url, name, value, label) of each button this user may press on this callback now;
    the server checks again when pressed."""

    def url(action: str) -> str:
        base = reverse(f"admin:callbacks_callbackrequest_{action}", args=[callback.pk])
        return f"{base}?next={next_url}" if next_url else base

    if callback.status == CallbackStatus.WAITING:
        return [(url("claim"), "", "", str(_("Claim")))]
    buttons = []
    if callback.status == CallbackStatus.IN_PROGRESS and callback.holder_id == user.pk:
        buttons += [
            (url("attempt"), "outcome", value, str(label))
            for value, label in CallbackOutcome.choices
        ]
        if compact:
            buttons.append((url("complete"), "", "", str(_("Complete"))))
    if callback.ticket_id is None and (
        callback.status != CallbackStatus.IN_PROGRESS or callback.holder_id == user.pk
    ):
        buttons.append((url("ticket"), "", "", str(_("Make ticket"))))
    return buttons


def list_buttons(callback: CallbackRequest, user: User, *, next_url: str) -> str:
    """Buttons inside the change list's form: `formaction` sends them to the action's
    view (the form carries the CSRF token)."""
    buttons = buttons_for(callback, user, next_url=next_url, compact=True)
    if not buttons:
        return "—"
    return format_html(
        '<span class="callback-buttons">{}</span>',
        format_html_join(
            "",
            '<button type="submit" class="button callback-button" formmethod="post" '
            'formaction="{}" name="{}" value="{}">{}</button>',
            ((url, name or "go", value, label) for url, name, value, label in buttons),
        ),
    )


def _next(request: HttpRequest, callback: CallbackRequest) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:callbacks_callbackrequest_change", args=[callback.pk])


def _claim(request: HttpRequest, callback: CallbackRequest) -> str:
    services.callback_claim(callback=callback, specialist=request.user)  # type: ignore[arg-type]
    return CLAIMED % {"id": callback.pk}


def _attempt(request: HttpRequest, callback: CallbackRequest) -> str:
    outcome = request.POST.get("outcome", "")
    if outcome not in CallbackOutcome.values:
        raise ValidationError(OUTCOME_UNKNOWN)
    services.callback_attempt_record(
        callback=callback,
        specialist=request.user,  # type: ignore[arg-type]
        outcome=CallbackOutcome(outcome),
        note=request.POST.get("note", ""),
    )
    callback.refresh_from_db(fields=["status"])
    if callback.status == CallbackStatus.ABANDONED:
        return ABANDONED % {"id": callback.pk}
    return ATTEMPT_RECORDED % {"id": callback.pk, "outcome": CallbackOutcome(outcome).label}


def _complete(request: HttpRequest, callback: CallbackRequest) -> str:
    services.callback_complete(
        callback=callback,
        specialist=request.user,  # type: ignore[arg-type]
        notes=request.POST.get("notes", ""),
    )
    return COMPLETED % {"id": callback.pk}


def _ticket(request: HttpRequest, callback: CallbackRequest) -> str:
    ticket = services.callback_to_ticket(callback=callback, specialist=request.user)  # type: ignore[arg-type]
    return TICKET_OPENED % {"ticket": ticket.pk, "id": callback.pk}


ACTIONS: dict[str, Callable[[HttpRequest, CallbackRequest], str]] = {
    "claim": _claim,
    "attempt": _attempt,
    "complete": _complete,
    "ticket": _ticket,
}


def action_urls(model_admin: "ModelAdmin[CallbackRequest]") -> list[URLPattern]:
    """One POST-only admin URL per action, behind the admin's login and CSRF checks."""

    def view_for(name: str) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, object_id: str) -> HttpResponse:
            callback = CallbackRequest.objects.filter(pk=object_id).first()
            if callback is None:
                raise Http404
            if not model_admin.has_change_permission(request, callback):
                raise PermissionDenied
            try:
                done = ACTIONS[name](request, callback)
            except REFUSALS as exc:
                messages.error(request, " ".join(refusal_messages(exc)))
            else:
                messages.success(request, done)
            return HttpResponseRedirect(_next(request, callback))

        return model_admin.admin_site.admin_view(require_POST(view))

    return [
        path(
            f"<path:object_id>/{name}/",
            view_for(name),
            name=f"callbacks_callbackrequest_{name}",
        )
        for name in ACTIONS
    ]
