"""The callback queue in the admin: specialists claim, call, complete or turn a request
into a ticket; every change goes through the callback services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.callbacks import services
from helpdesk.callbacks.models import (
    CallbackAttempt,
    CallbackEvent,
    CallbackOutcome,
    CallbackRequest,
    CallbackStatus,
)
from helpdesk.core.adminforms import ServiceChangeForm, ServiceModelAdmin
from helpdesk.core.paginator import CappedCountPaginator
from helpdesk.core.textclean import CleanCharField
from helpdesk.core.timefmt import time_left
from helpdesk.tickets.admin import StateFilter


class CallbackStateFilter(StateFilter):
    """Defaults to the live queue: waiting and in progress."""

    title = _("status")
    default_label = _("Queue (waiting, in progress)")
    statuses = CallbackStatus

    def default_queryset(self, queryset):
        return queryset.filter(status__in=[CallbackStatus.WAITING, CallbackStatus.IN_PROGRESS])


class CallbackAdminForm(ServiceChangeForm):
    claim = forms.BooleanField(label=_("Claim this callback"), required=False)
    attempt_outcome = forms.ChoiceField(
        label=_("Record a call"),
        required=False,
        choices=[("", _("— no call to record —")), *CallbackOutcome.choices],
    )
    attempt_note = CleanCharField(
        label=_("Call note"),
        multiline=True,
        required=False,
        max_length=services.NOTE_MAX,
        error_messages={"too_long": services.NOTE_TOO_LONG},
        widget=forms.TextInput,
    )
    notes = CleanCharField(
        label=CallbackRequest._meta.get_field("notes").verbose_name,
        multiline=True,
        required=False,
        max_length=services.NOTE_MAX,
        error_messages={"too_long": services.NOTE_TOO_LONG},
    )
    complete = forms.BooleanField(label=_("Mark completed"), required=False)
    create_ticket = forms.BooleanField(label=_("Open a ticket from this callback"), required=False)

    service_fields = {"note": "attempt_note"}

    class Meta:
        model = CallbackRequest
        fields = ("notes",)

    def apply(self, *, actor: User) -> list[str]:
        """Claim, record a call, open a ticket, complete or keep notes, in that order."""
        data, callback, notes = self.cleaned_data, self.instance, []
        if data.get("claim"):
            services.callback_claim(callback=callback, specialist=actor)
        if data.get("attempt_outcome"):
            services.callback_attempt_record(
                callback=callback,
                specialist=actor,
                outcome=data["attempt_outcome"],
                note=data.get("attempt_note", ""),
            )
        if data.get("create_ticket"):
            ticket = services.callback_to_ticket(callback=callback, specialist=actor)
            notes.append(_("Ticket #%s opened.") % ticket.pk)
        if data.get("complete"):
            services.callback_complete(callback=callback, specialist=actor, notes=data.get("notes"))
        elif "notes" in self.changed_data:
            services.callback_notes_save(callback=callback, specialist=actor, notes=data["notes"])
        return notes


class CallbackAttemptInline(admin.TabularInline):
    model = CallbackAttempt
    fields = ("created_at", "specialist", "outcome", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CallbackEventInline(admin.TabularInline):
    model = CallbackEvent
    fields = ("created_at", "kind", "level")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("Escalations")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ServiceModelAdmin):
    """The live callback queue: oldest first, with time waited; claim, record calls,
    complete or open a ticket. Open queue pages refresh when the queue changes."""

    form = CallbackAdminForm
    list_display = (
        "id",
        "topic",
        "account",
        "phone",
        "status",
        "waited",
        "holder",
        "sla_state",
    )
    list_display_links = ("topic",)
    list_select_related = ("account", "holder")
    list_filter = (CallbackStateFilter,)
    ordering = ("created_at", "id")
    search_fields = ("=id", "topic", "phone", "account__name")
    show_full_result_count = False
    paginator = CappedCountPaginator
    actions = ("claim_selected",)
    inlines = (CallbackAttemptInline, CallbackEventInline)
    readonly_fields = (
        "account",
        "requester",
        "phone",
        "topic",
        "description",
        "status",
        "holder",
        "created_at",
        "due_at",
        "answered_at",
        "breached_at",
        "escalation_level",
        "ticket",
        "closed_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("account", "requester"),
                    ("phone", "topic"),
                    "description",
                    ("status", "holder", "ticket"),
                    ("created_at", "due_at", "answered_at"),
                    ("breached_at", "escalation_level", "closed_at"),
                )
            },
        ),
        (
            _("Work this callback"),
            {
                "fields": (
                    "claim",
                    ("attempt_outcome", "attempt_note"),
                    "notes",
                    ("complete", "create_ticket"),
                )
            },
        ),
    )

    class Media:
        css = {"all": ("css/admin-tickets.css",)}

    # Customers ask for callbacks; no deletion either (a ServiceModelAdmin without
    # delete_object): a request is the record its SLA report and ticket refer to.
    def has_add_permission(self, request) -> bool:
        return False

    def get_fieldsets(self, request, obj=None):
        """Offer only what the callback's state allows: claim a waiting one; record calls
        and complete one you hold; afterwards, notes and a ticket."""
        details = self.fieldsets[0]
        if obj is None:
            return [details]
        if obj.status == CallbackStatus.WAITING:
            work = ("claim",)
        elif obj.status == CallbackStatus.IN_PROGRESS and obj.holder_id == request.user.pk:
            work = (("attempt_outcome", "attempt_note"), "notes", ("complete", "create_ticket"))
        elif obj.status == CallbackStatus.IN_PROGRESS:
            work = ("notes",)
        else:
            work = ("notes", "create_ticket")
        return [details, (_("Work this callback"), {"fields": work})]

    @admin.display(description=_("waited"))
    def waited(self, obj: CallbackRequest) -> str:
        end = obj.answered_at or obj.closed_at or timezone.now()
        seconds = int((end - obj.created_at).total_seconds())
        return f"{seconds // 60} min {seconds % 60:02d} s"

    @admin.display(description=_("target"))
    def sla_state(self, obj: CallbackRequest) -> str:
        if obj.answered_at:
            late = obj.answered_at > obj.due_at
            return format_html(
                '<span class="sla sla-{}">{}</span>',
                "late" if late else "met",
                _("Started late") if late else _("Started in time"),
            )
        if obj.status != CallbackStatus.WAITING:
            return "—"
        if obj.breached_at:
            return format_html(
                '<span class="sla sla-breached">{} L{}</span>', _("Late"), obj.escalation_level
            )
        return format_html('<span class="sla sla-ok">{}</span>', time_left(obj.due_at))

    @admin.action(description=_("Claim"))
    def claim_selected(self, request, queryset) -> None:
        for callback in queryset:
            try:
                services.callback_claim(callback=callback, specialist=request.user)
                self.message_user(request, _("You hold callback #%s.") % callback.pk)
            except ValidationError as exc:
                messages.error(request, f"#{callback.pk}: {' '.join(exc.messages)}")
            except PermissionDenied as exc:
                messages.error(request, f"#{callback.pk}: {exc}")
