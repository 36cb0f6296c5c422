from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.middleware import second_factor_verified_required
from accounts.models import PremiumChannel
from accounts.permissions import can_view_customer_item, is_agent, is_customer
from accounts.selectors import entitlement_for
from helpdesk.callbacks import selectors, services
from helpdesk.callbacks.forms import CallbackForm
from helpdesk.callbacks.models import CallbackRequest
from helpdesk.core.errors import form_errors, validation_errors


@login_required
@require_POST
def callback_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Premium phone support: the dialog posts here with fetch and gets JSON."""
    entitlement = entitlement_for(user=request.user, request=request)
    if not is_customer(request.user) or not entitlement.allows(PremiumChannel.PHONE):
        return JsonResponse(
            {"errors": {"__all__": [str(services.CHANNEL_NOT_ALLOWED)]}}, status=403
        )
    form = CallbackForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form_errors(form)}, status=400)
    try:
        callback, created = services.callback_request_create(
            requester=request.user,
            phone=form.cleaned_data["phone"],
            topic=form.cleaned_data["topic"],
            description=form.cleaned_data["description"],
            entitlement=entitlement,
        )
    except PermissionDenied as exc:
        return JsonResponse({"errors": {"__all__": [str(exc)]}}, status=403)
    except ValidationError as exc:
        return JsonResponse({"errors": validation_errors(exc)}, status=400)
    confirmation = render_to_string(
        "callbacks/callback_confirmation.html", {"callback": callback}, request=request
    )
    return JsonResponse(
        {"callback": callback.pk, "created": created, "confirmation_html": confirmation},
        status=201 if created else 200,
    )


@login_required
@require_POST
def callback_cancel(request: AuthenticatedHttpRequest, callback_id: int) -> HttpResponse:
    callback = CallbackRequest.objects.filter(pk=callback_id).first()
    if callback is None or not can_view_customer_item(request.user, callback):
        raise Http404("No such callback request.")
    try:
        services.callback_cancel(callback=callback, actor=request.user)
        messages.success(request, _("Your callback request was cancelled."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("ticket_list")


@login_required
@second_factor_verified_required
def callback_queue_panel(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The waiting callbacks, oldest first, as a fragment for the chat console; it is
    fetched again whenever the queue changes."""
    if not is_agent(request.user):
        raise Http404("No such page.")
    return render(
        request,
        "callbacks/callback_queue_panel.html",
        {"callbacks": selectors.callback_queue().select_related("account")[:50]},
    )
