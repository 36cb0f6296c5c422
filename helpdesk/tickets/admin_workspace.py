"""The ticket page for working, in the admin: the thread from the original request on,
a composer (reply / internal note, macros), the SLA clock, the customer panel, who else
is on the ticket (helpdesk.tickets.consumers) and Assign / Reclassify as buttons.

Its small views (compose, macros, assign, reclassify) are the ticket admin's own URLs,
behind the admin's login. Each authorises with `can_work_ticket`, validates with a form
and calls one service; a refusal is shown and nothing is written."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.selectors import agent_get, agents_list
from helpdesk.core.adminforms import refusal_messages
from helpdesk.tickets import macros as macro_services
from helpdesk.tickets import services
from helpdesk.tickets.attachments import ALLOWED_TYPES, uploads_from
from helpdesk.tickets.models import Macro, ReplyVisibility, Ticket
from helpdesk.tickets.permissions import can_manage_macros, can_work_ticket
from helpdesk.tickets.selectors import (
    customer_panel_for,
    macros_search,
    ticket_workspace_thread,
)
from sla.models import SlaKind

NOT_ALLOWED = _("You may not work on tickets.")
NO_SUCH_MACRO = _("This macro no longer exists. Pick another one.")
NO_SUCH_SPECIALIST = _("Choose a specialist or lead to assign the ticket to.")
SENT_REPLY = _("Reply sent.")
SENT_NOTE = _("Internal note added.")
ASSIGNED = _("Assigned to %(name)s.")
UNASSIGNED = _("The ticket is unassigned.")
RECLASSIFIED_CRITICAL = _("Reclassified as business-critical; the deadline was recomputed.")
RECLASSIFIED_STANDARD = _("Reclassified as standard; the deadline was recomputed.")
FILES_HINT = _("Up to %(count)s files, %(size)s each and %(total)s in all: %(types)s.")


class ComposerForm(forms.Form):
    # Length and control characters are the service's rules (ticket_reply).
    body = forms.CharField(required=False, strip=False)
    visibility = forms.ChoiceField(choices=ReplyVisibility.choices)
    macro = forms.ModelChoiceField(
        queryset=Macro.objects.all(),
        required=False,
        error_messages={"invalid_choice": NO_SUCH_MACRO},
    )


class ReclassifyForm(forms.Form):
    business_critical = forms.TypedChoiceField(
        choices=[("1", _("Business-critical")), ("0", _("Standard"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(required=False, strip=False)


@dataclass(frozen=True)
class SlaClock:
    state: str  # running, breached, answered, exempt
    kind_label: str
    due_at: datetime
    answered_at: datetime | None

    @property
    def stopped(self) -> bool:
        return self.answered_at is not None


def sla_clock(ticket: Ticket) -> SlaClock:
    if ticket.answered_at is not None:
        state = "answered"
    elif ticket.sla_kind == SlaKind.EXEMPT:
        state = "exempt"
    elif ticket.breached_at is not None or ticket.due_at <= timezone.now():
        state = "breached"
    else:
        state = "running"
    return SlaClock(
        state=state,
        kind_label=ticket.get_sla_kind_display(),
        due_at=ticket.due_at,
        answered_at=ticket.answered_at,
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _errors_json(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for error in errors for m in error.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


class TicketWorkspaceMixin:
    """Mixed into TicketAdmin: the change page's context and its action views."""

    admin_site: Any

    def workspace_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:ticket_id>/compose/", wrap(compose_view), name="tickets_ticket_compose"),
            path("<int:ticket_id>/macros/", wrap(macros_view), name="tickets_ticket_macros"),
            path("<int:ticket_id>/assign/", wrap(assign_view), name="tickets_ticket_assign"),
            path(
                "<int:ticket_id>/reclassify/",
                wrap(reclassify_view),
                name="tickets_ticket_reclassify",
            ),
        ]

    def workspace_context(self, request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
        can_work = can_work_ticket(request.user)
        return {
            "ws_thread": ticket_workspace_thread(ticket=ticket),
            "ws_clock": sla_clock(ticket),
            "ws_panel": customer_panel_for(ticket=ticket),
            "ws_can_work": can_work,
            "ws_can_manage_macros": can_manage_macros(request.user),
            "ws_agents": agents_list() if can_work else [],
            "ws_socket_path": f"/ws/staff/tickets/{ticket.pk}/",
            "ws_accept": ",".join(f".{extension}" for extension in ALLOWED_TYPES),
            "ws_files_hint": FILES_HINT
            % {
                "count": settings.ATTACHMENT_MAX_FILES,
                "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
                "total": filesizeformat(settings.ATTACHMENT_MAX_TOTAL_BYTES),
                "types": ", ".join(ALLOWED_TYPES),
            },
        }


def _working_ticket(request: HttpRequest, ticket_id: int) -> tuple[Ticket, User]:
    """The ticket and the acting specialist or lead (else PermissionDenied, or 404)."""
    actor = request.user
    if not (isinstance(actor, User) and can_work_ticket(actor)):
        raise PermissionDenied(NOT_ALLOWED)
    ticket = get_object_or_404(Ticket.objects.select_related("requester", "account"), pk=ticket_id)
    return ticket, actor


def _change_url(ticket: Ticket) -> str:
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


def _refused(
    request: HttpRequest, ticket: Ticket, exc: ValidationError | PermissionDenied
) -> HttpResponse:
    status = 403 if isinstance(exc, PermissionDenied) else 400
    if _wants_json(request):
        errors = (
            _errors_json(exc)
            if isinstance(exc, ValidationError)
            else {"__all__": refusal_messages(exc)}
        )
        return JsonResponse({"ok": False, "errors": errors}, status=status)
    for message in refusal_messages(exc):
        messages.error(request, message)
    return HttpResponseRedirect(_change_url(ticket))


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, "errors": {"__all__": refusal_messages(exc)}}, status=403)
    raise exc


def _done(request: HttpRequest, ticket: Ticket, message: str) -> HttpResponse:
    # Also as a message: the page's script reloads the ticket, which shows it.
    messages.success(request, message)
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": message, "redirect": _change_url(ticket)})
    return HttpResponseRedirect(_change_url(ticket))


@require_POST
def compose_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    try:
        ticket, actor = _working_ticket(request, ticket_id)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    form = ComposerForm(request.POST)
    if not form.is_valid():
        return _refused(request, ticket, ValidationError(form.errors.as_data()))
    visibility = ReplyVisibility(form.cleaned_data["visibility"])
    try:
        # Files over the size limit are refused here, before they are read.
        uploads = uploads_from(request.FILES.getlist("attachments"))
        macro_services.ticket_compose(
            ticket=ticket,
            author=actor,
            body=form.cleaned_data["body"],
            visibility=visibility,
            macro=form.cleaned_data["macro"],
            attachments=uploads,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, ticket, exc)
    return _done(
        request, ticket, str(SENT_REPLY if visibility == ReplyVisibility.PUBLIC else SENT_NOTE)
    )


@require_GET
def macros_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The picker's list: macros matching `q`, each filled in for this ticket."""
    try:
        ticket, actor = _working_ticket(request, ticket_id)
    except PermissionDenied as exc:
        return JsonResponse({"ok": False, "errors": {"__all__": refusal_messages(exc)}}, status=403)
    found = macros_search(query=request.GET.get("q", "")[:100])
    rendered = [
        macro_services.macro_render(macro=macro, ticket=ticket, actor=actor) for macro in found
    ]
    return JsonResponse(
        {
            "ok": True,
            "macros": [
                {
                    "id": item.macro.pk,
                    "name": item.macro.name,
                    "text": item.text,
                    "status": item.status.value if item.status else "",
                    "status_label": item.status.label if item.status else "",
                }
                for item in rendered
            ],
        }
    )


@require_POST
def assign_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    try:
        ticket, actor = _working_ticket(request, ticket_id)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    choice = request.POST.get("assignee", "")
    assignee: User | None
    if choice == "me":
        assignee = actor
    elif choice == "":
        assignee = None
    else:
        assignee = agent_get(user_id=int(choice)) if choice.isdigit() else None
        if assignee is None:
            return _refused(request, ticket, ValidationError(NO_SUCH_SPECIALIST))
    try:
        services.ticket_assign(ticket=ticket, assignee=assignee, actor=actor)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, ticket, exc)
    if assignee is None:
        return _done(request, ticket, str(UNASSIGNED))
    name = assignee.get_full_name() or assignee.email
    return _done(request, ticket, str(ASSIGNED) % {"name": name})


@require_POST
def reclassify_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    try:
        ticket, actor = _working_ticket(request, ticket_id)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    form = ReclassifyForm(request.POST)
    if not form.is_valid():
        return _refused(request, ticket, ValidationError(form.errors.as_data()))
    critical = form.cleaned_data["business_critical"]
    try:
        services.ticket_reclassify(
            ticket=ticket,
            business_critical=critical,
            reason=form.cleaned_data["reason"],
            actor=actor,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, ticket, exc)
    return _done(request, ticket, str(RECLASSIFIED_CRITICAL if critical else RECLASSIFIED_STANDARD))
