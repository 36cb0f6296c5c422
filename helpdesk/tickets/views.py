from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import PremiumChannel
from accounts.permissions import can_flag_business_critical, is_customer
from accounts.selectors import entitlement_for
from helpdesk.callbacks.selectors import callback_list_for
from helpdesk.core.errors import form_errors, validation_errors, wants_json
from helpdesk.core.files import file_response
from helpdesk.core.textclean import StrOrPromise
from helpdesk.csat.models import RatedKind
from helpdesk.csat.selectors import survey_for, survey_is_open
from helpdesk.tickets import selectors, services
from helpdesk.tickets.attachments import attachment_get_for, uploads_from
from helpdesk.tickets.forms import ReplyForm, TicketForm
from helpdesk.tickets.models import ReplyVisibility, Ticket, TicketChannel, TicketStatus
from helpdesk.tickets.permissions import can_write_internal_note


def _refused(request: HttpRequest, message: StrOrPromise) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"errors": {"__all__": [str(message)]}}, status=403)
    raise PermissionDenied(message)


@login_required
def ticket_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Premium email support: the dialog posts here with fetch (JSON answer); without
    JavaScript the same view serves a page."""
    entitlement = entitlement_for(user=request.user, request=request)
    context = {
        "entitlement": entitlement,
        "can_flag": can_flag_business_critical(request.user),
        "allowed": entitlement.allows(PremiumChannel.EMAIL),
    }
    if request.method != "POST":
        return render(request, "tickets/ticket_new.html", {**context, "form": TicketForm()})
    if not context["allowed"]:
        # Authorised before anything is validated: the service says the same.
        return _refused(
            request,
            services.CHANNEL_NOT_ALLOWED if is_customer(request.user) else services.NOT_A_CUSTOMER,
        )
    form = TicketForm(request.POST)
    if not form.is_valid():
        return _ticket_form_invalid(request, context, form, form_errors(form))
    try:
        uploads = uploads_from(request.FILES.getlist("attachments"))
    except ValidationError as exc:
        return _ticket_form_invalid(request, context, form, validation_errors(exc))
    data = form.cleaned_data
    # A regular user's request that carries the flag at all is refused, whatever its value.
    flag = bool(data.get("business_critical")) or (
        "business_critical" in request.POST and not context["can_flag"]
    )
    try:
        ticket = services.ticket_create(
            requester=request.user,
            channel=TicketChannel.EMAIL,
            subject=data["subject"],
            description=data["description"],
            business_critical=flag,
            entitlement=entitlement,
            attachments=uploads,
        )
    except PermissionDenied as exc:
        return _refused(request, str(exc))
    except ValidationError as exc:
        return _ticket_form_invalid(request, context, form, validation_errors(exc))
    confirmation = render_to_string(
        "tickets/ticket_confirmation.html", {"ticket": ticket}, request=request
    )
    if wants_json(request):
        return JsonResponse(
            {
                "ticket": ticket.pk,
                "url": reverse("ticket_detail", args=[ticket.pk]),
                "due_at": ticket.due_at.isoformat(),
                "confirmation_html": confirmation,
            },
            status=201,
        )
    messages.success(request, _("Ticket #%(id)s submitted.") % {"id": ticket.pk})
    return redirect("ticket_detail", ticket_id=ticket.pk)


def _ticket_form_invalid(
    request: HttpRequest, context: dict[str, Any], form: TicketForm, errors: dict[str, list[str]]
) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"errors": errors}, status=400)
    return render(
        request,
        "tickets/ticket_new.html",
        {**context, "form": form, "errors": errors, "general_errors": errors.get("__all__")},
        status=400,
    )


@login_required
def ticket_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_customer(request.user):
        return redirect("admin:tickets_ticket_changelist")
    tickets = selectors.ticket_list_for(user=request.user)[:200]
    callback_requests = callback_list_for(user=request.user)[:50]
    return render(
        request,
        "tickets/ticket_list.html",
        {"tickets": tickets, "callback_requests": callback_requests},
    )


def _detail_context(request: AuthenticatedHttpRequest, ticket: Ticket) -> dict[str, Any]:
    survey = survey_for(user=request.user, kind=RatedKind.TICKET, item_id=ticket.pk)
    own = ticket.requester_id == request.user.pk
    return {
        "ticket": ticket,
        "thread": selectors.ticket_thread_for(user=request.user, ticket=ticket),
        "ticket_files": ticket.attachments.filter(reply__isnull=True),
        "reclassifications": selectors.ticket_reclassifications_for(ticket=ticket),
        "can_solve": own and ticket.is_open,
        "can_reopen": own and services.ticket_reopen_allowed(ticket),
        "survey": survey if survey and ticket.status == TicketStatus.SOLVED else None,
        "survey_open": bool(survey and survey_is_open(survey)),
    }


@login_required
def ticket_detail(request: AuthenticatedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
    return render(
        request,
        "tickets/ticket_detail.html",
        {**_detail_context(request, ticket), "form": ReplyForm()},
    )


def _self_service(
    request: AuthenticatedHttpRequest, ticket_id: int, action: Any, done: str
) -> HttpResponse:
    # Someone else's ticket is 404 whatever they may read: only its requester solves it.
    ticket = selectors.ticket_own_get(user=request.user, ticket_id=ticket_id)
    try:
        ticket = action(ticket=ticket, customer=request.user)
    except ValidationError as exc:
        errors = validation_errors(exc)
        if wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
        for message in errors["__all__"]:
            messages.error(request, message)
        return redirect("ticket_detail", ticket_id=ticket.pk)
    if wants_json(request):
        return JsonResponse({"status": ticket.status})
    messages.success(request, done)
    return redirect("ticket_detail", ticket_id=ticket.pk)


@login_required
@require_POST
def ticket_solve(request: AuthenticatedHttpRequest, ticket_id: int) -> HttpResponse:
    return _self_service(
        request, ticket_id, services.ticket_solve_by_customer, _("Your ticket is marked solved.")
    )


@login_required
@require_POST
def ticket_reopen(request: AuthenticatedHttpRequest, ticket_id: int) -> HttpResponse:
    return _self_service(
        request, ticket_id, services.ticket_reopen_by_customer, _("Your ticket is open again.")
    )


@login_required
@require_POST
def ticket_reply(request: AuthenticatedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
    visibility = request.POST.get("visibility") or ReplyVisibility.PUBLIC
    if visibility not in ReplyVisibility.values:
        visibility = ReplyVisibility.INTERNAL  # unknown values get the strictest check
    if visibility == ReplyVisibility.INTERNAL and not can_write_internal_note(request.user):
        return _refused(request, services.INTERNAL_NOTE_FORBIDDEN)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _reply_invalid(request, ticket, form, form_errors(form))
    try:
        reply = services.ticket_reply(
            ticket=ticket,
            author=request.user,
            body=form.cleaned_data["body"],
            visibility=ReplyVisibility(visibility),
            attachments=uploads_from(request.FILES.getlist("attachments")),
        )
    except PermissionDenied as exc:
        return _refused(request, str(exc))
    except ValidationError as exc:
        return _reply_invalid(request, ticket, form, validation_errors(exc))
    if wants_json(request):
        return JsonResponse({"reply": reply.pk}, status=201)
    messages.success(request, _("Your reply was sent."))
    return redirect("ticket_detail", ticket_id=ticket.pk)


def _reply_invalid(
    request: AuthenticatedHttpRequest, ticket: Ticket, form: ReplyForm, errors: dict[str, list[str]]
) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"errors": errors}, status=400)
    return render(
        request,
        "tickets/ticket_detail.html",
        {**_detail_context(request, ticket), "form": form, "errors": errors},
        status=400,
    )


@login_required
def attachment_download(request: AuthenticatedHttpRequest, attachment_id: int) -> HttpResponseBase:
    attachment = attachment_get_for(user=request.user, attachment_id=attachment_id)
    return file_response(
        path=attachment.path,
        name=attachment.name,
        content_type=attachment.content_type,
        thumbnail_path=attachment.thumbnail_path,
        thumbnail=request.GET.get("thumbnail") == "1",
    )
