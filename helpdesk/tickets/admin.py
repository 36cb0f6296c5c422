"""Tickets in the admin: specialists' lists and filters, the change form (reply, assign,
status, reclassify) and bulk actions, every change through the ticket services."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.core.adminforms import ServiceChangeForm, ServiceModelAdmin
from helpdesk.core.paginator import CappedCountPaginator
from helpdesk.core.textclean import CleanCharField
from helpdesk.core.timefmt import time_left

# Also registers the inbound log's admin, and the macros'.
from helpdesk.tickets import (
    admin_inbound,  # noqa: F401
    admin_macros,  # noqa: F401
    services,
)
from helpdesk.tickets.admin_report import SlaAttainmentReportAdmin
from helpdesk.tickets.admin_workspace import TicketWorkspaceMixin
from helpdesk.tickets.models import (
    OPEN_STATUSES,
    Reply,
    ReplyVisibility,
    SlaAttainmentReport,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
)
from sla.models import SlaKind

DUE_SOON = timedelta(minutes=15)


class SlaStateFilter(admin.SimpleListFilter):
    title = _("SLA")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [
            ("breached", _("Breached")),
            ("due_soon", _("Due within 15 minutes")),
            ("overdue_target", _("Overdue against target")),
            ("exempt", _("Exempt")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "breached":
            return queryset.filter(breached_at__isnull=False, sla_kind=SlaKind.GUARANTEED)
        if self.value() == "overdue_target":
            return queryset.filter(breached_at__isnull=False, sla_kind=SlaKind.TARGET)
        if self.value() == "due_soon":
            return queryset.filter(
                answered_at__isnull=True, due_at__gte=now, due_at__lte=now + DUE_SOON
            )
        if self.value() == "exempt":
            return queryset.filter(sla_kind=SlaKind.EXEMPT)
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Assigned to me")), ("nobody", _("Unassigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        if self.value() == "nobody":
            return queryset.filter(assignee__isnull=True)
        return queryset


class StateFilter(admin.SimpleListFilter):
    """A status filter whose default (no parameter) is the working set, not everything:
    subclasses name it and filter it in `default_queryset`."""

    parameter_name = "state"
    default_label = ""
    statuses: type = TicketStatus

    def lookups(self, request, model_admin):
        return [("all", _("All statuses")), *self.statuses.choices]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": self.default_label,
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def default_queryset(self, queryset):
        raise NotImplementedError

    def queryset(self, request, queryset):
        if self.value() is None:
            return self.default_queryset(queryset)
        if self.value() in self.statuses.values:
            return queryset.filter(status=self.value())
        return queryset


class OpenFilter(StateFilter):
    """Defaults to the open tickets: that is what specialists work on, and the open set
    is small, so the default list stays fast at any number of tickets."""

    title = _("status")
    default_label = _("Open (new, open, waiting)")

    def default_queryset(self, queryset):
        return queryset.filter(status__in=OPEN_STATUSES)


class TicketAdminForm(ServiceChangeForm):
    reply_body = CleanCharField(
        label=_("Reply"),
        multiline=True,
        required=False,
        max_length=services.REPLY_MAX,
        error_messages={"too_long": services.REPLY_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("A public reply is emailed to the requester; an internal note is not."),
    )
    reply_visibility = forms.ChoiceField(
        label=_("Send as"), choices=ReplyVisibility.choices, initial=ReplyVisibility.PUBLIC
    )
    reclassify = forms.ChoiceField(
        label=_("Reclassify"),
        required=False,
        choices=[
            ("", _("Keep the classification")),
            ("critical", _("Business-critical")),
            ("standard", _("Standard")),
        ],
    )
    reclassify_reason = CleanCharField(
        label=_("Reason for reclassification"),
        required=False,
        max_length=services.RECLASSIFY_REASON_MAX,
        error_messages={"too_long": services.RECLASSIFY_REASON_TOO_LONG},
    )

    # The reclassification's rules (a reason, a change, only a super admin's email
    # ticket may be business-critical) are the service's; its errors land here.
    service_fields = {
        "business_critical": "reclassify",
        "reason": "reclassify_reason",
        "body": "reply_body",
    }

    class Meta:
        model = Ticket
        fields = ("status", "assignee")

    # The reply and reclassify fields are not shown on the page (its composer and buttons
    # replace them) but still accepted: their errors are shown above the form.
    _not_shown = ("reply_body", "reply_visibility", "reclassify", "reclassify_reason")

    def add_error(self, field, error) -> None:
        super().add_error(None if field in self._not_shown else field, error)

    def apply(self, *, actor: User) -> list[str]:
        """Every change goes through the ticket services, which record it in history."""
        data, ticket = self.cleaned_data, self.instance
        if "assignee" in self.changed_data:
            services.ticket_assign(ticket=ticket, assignee=data["assignee"], actor=actor)
        if "status" in self.changed_data:
            services.ticket_set_status(ticket=ticket, status=data["status"], actor=actor)
        if data.get("reclassify"):
            services.ticket_reclassify(
                ticket=ticket,
                business_critical=data["reclassify"] == "critical",
                reason=data["reclassify_reason"],
                actor=actor,
            )
        if (data.get("reply_body") or "").strip():
            services.ticket_reply(
                ticket=ticket,
                author=actor,
                body=data["reply_body"],
                visibility=ReplyVisibility(data["reply_visibility"]),
            )
        return []


def _event_value(event: TicketEvent, value: str) -> str:
    """A status change reads with the statuses' names ("Waiting on customer"), not codes."""
    if event.kind == TicketEventKind.STATUS and value in TicketStatus.values:
        return str(TicketStatus(value).label)
    return value or "-"


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    fields = ("created_at", "kind", "actor", "from_shown", "to_shown", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("History and escalations")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("from"))
    def from_shown(self, event: TicketEvent) -> str:
        return _event_value(event, event.from_value)

    @admin.display(description=_("to"))
    def to_shown(self, event: TicketEvent) -> str:
        return _event_value(event, event.to_value)


@admin.register(Ticket)
class TicketAdmin(TicketWorkspaceMixin, ServiceModelAdmin):
    # The page for working a ticket (thread, composer, customer panel, who else is on it)
    # sits above the form, which keeps status and assignee (admin_workspace.py). The
    # form's reply and reclassify fields still accept a POST, but are not shown.
    change_form_template = "admin/tickets/ticket/change_form.html"
    form = TicketAdminForm
    list_display = (
        "id",
        "subject",
        "account_column",
        "requester_role",
        "critical_badge",
        "status",
        "assignee_column",
        "due_at",
        "time_left_display",
        "sla_state",
    )
    list_display_links = ("subject",)
    list_select_related = ("account", "assignee")
    list_filter = (SlaStateFilter, "business_critical", AssigneeFilter, OpenFilter)
    ordering = ("due_at", "id")
    search_fields = ("=id", "subject")
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50
    actions = ("assign_to_me", "mark_solved")
    inlines = (TicketEventInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("account", "requester", "requester_role"),
                    ("channel", "created_at"),
                    "subject",
                    ("status", "assignee"),
                )
            },
        ),
        (
            _("SLA"),
            {
                "fields": (
                    ("critical_badge", "sla_policy", "sla_kind"),
                    ("due_at", "answered_at", "time_left_display"),
                    ("breached_at", "escalation_level", "sla_exception"),
                )
            },
        ),
    )
    readonly_fields = (
        "account",
        "requester",
        "requester_role",
        "channel",
        "created_at",
        "subject",
        "critical_badge",
        "sla_policy",
        "sla_kind",
        "due_at",
        "answered_at",
        "time_left_display",
        "breached_at",
        "escalation_level",
        "sla_exception",
    )
    # The files show in the thread above, under the message that carries each one.

    # No deletion (a ServiceModelAdmin without delete_object): a ticket is the record
    # the SLA reports count and its requester was emailed about.
    def has_add_permission(self, request) -> bool:
        return False  # customers submit tickets; specialists answer them

    @admin.display(description=_("account"), ordering="account__name")
    def account_column(self, obj: Ticket) -> str:
        return obj.account.name

    @admin.display(description=_("assignee"), ordering="assignee__email")
    def assignee_column(self, obj: Ticket) -> str:
        return str(obj.assignee) if obj.assignee else "—"

    @admin.display(description=_("business-critical"), ordering="business_critical")
    def critical_badge(self, obj: Ticket) -> str:
        """A badge for a business-critical ticket and nothing for the others (a red cross
        for "no" read as an error)."""
        if not obj.business_critical:
            return mark_safe("<span></span>")  # not the admin's "-" either (a constant)
        return format_html('<span class="badge-critical">{}</span>', _("Business-critical"))

    @admin.display(description=_("time left"))
    def time_left_display(self, obj: Ticket) -> str:
        if obj.answered_at:
            return "—"
        return time_left(obj.due_at)

    @admin.display(description=_("SLA state"))
    def sla_state(self, obj: Ticket) -> str:
        if obj.answered_at:
            late = obj.answered_at > obj.due_at
            label = _("Answered late") if late and obj.sla_kind != SlaKind.EXEMPT else _("Met")
            return format_html(
                '<span class="sla sla-{}">{}</span>', "late" if late else "met", label
            )
        if obj.sla_kind == SlaKind.EXEMPT:
            return format_html('<span class="sla sla-exempt">{}</span>', _("Exempt"))
        if obj.breached_at:
            if obj.sla_kind == SlaKind.TARGET:
                return format_html('<span class="sla sla-late">{}</span>', _("Overdue (target)"))
            return format_html(
                '<span class="sla sla-breached">{} L{}</span>', _("Breached"), obj.escalation_level
            )
        if obj.due_at - timezone.now() <= DUE_SOON:
            return format_html('<span class="sla sla-soon">{}</span>', _("Due soon"))
        return format_html('<span class="sla sla-ok">{}</span>', _("On track"))

    def get_urls(self):
        return [*self.workspace_urls(), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self.get_object(request, object_id)
        if ticket is not None and self.has_view_or_change_permission(request, ticket):
            extra_context = {**(extra_context or {}), **self.workspace_context(request, ticket)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Assign to me"))
    def assign_to_me(self, request, queryset) -> None:
        done = _each(
            request,
            queryset,
            lambda ticket: services.ticket_assign(
                ticket=ticket, assignee=request.user, actor=request.user
            ),
        )
        if done:
            self.message_user(request, _("Assigned to you."))

    @admin.action(description=_("Mark solved"))
    def mark_solved(self, request, queryset) -> None:
        done = _each(
            request,
            queryset.filter(~Q(status=TicketStatus.SOLVED)),
            lambda ticket: services.ticket_set_status(
                ticket=ticket, status=TicketStatus.SOLVED, actor=request.user
            ),
        )
        if done:
            self.message_user(request, _("Marked solved."))

    class Media:
        css = {"all": ("css/admin-tickets.css",)}


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    """Replies are read here: they are written on the ticket's page (`ticket_reply`) and,
    once sent, neither edited nor deleted."""

    list_display = ("ticket", "author", "visibility", "created_at")
    list_select_related = ("ticket", "author")
    readonly_fields = ("ticket", "author", "body", "visibility", "created_at")
    show_full_result_count = False
    paginator = CappedCountPaginator

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _each(request, queryset, change) -> int:
    """Apply `change` to each ticket; a refusal is shown as an error for that ticket
    (the others go ahead). Returns how many were changed."""
    done = 0
    for ticket in queryset:
        try:
            change(ticket)
        except ValidationError as exc:
            messages.error(request, f"#{ticket.pk}: {' '.join(exc.messages)}")
        except PermissionDenied as exc:
            messages.error(request, f"#{ticket.pk}: {exc}")
        else:
            done += 1
    return done


admin.site.register(SlaAttainmentReport, SlaAttainmentReportAdmin)
