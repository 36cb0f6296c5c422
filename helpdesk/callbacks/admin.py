"""The callback queue in the admin: specialists claim, call, complete or turn a request
into a ticket; every change goes through the callback services."""

from urllib.parse import quote

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.callbacks import admin_actions, services
from helpdesk.callbacks.models import (
    CallbackAttempt,
    CallbackEvent,
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
    """The notes, kept after the fact; the call's steps are buttons (CallbackActions)."""

    notes = CleanCharField(
        label=CallbackRequest._meta.get_field("notes").verbose_name,
        multiline=True,
        required=False,
        max_length=services.NOTE_MAX,
        error_messages={"too_long": services.NOTE_TOO_LONG},
    )

    class Meta:
        model = CallbackRequest
        fields = ("notes",)

    def apply(self, *, actor: User) -> list[str]:
        if "notes" in self.changed_data:
            services.callback_notes_save(
                callback=self.instance, specialist=actor, notes=self.cleaned_data["notes"]
            )
        return []


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
    """The live callback queue: oldest first, with time waited counting up; buttons to
    claim, record calls, complete or open a ticket (admin_actions). Open queue pages
    refresh when the queue changes."""

    form = CallbackAdminForm
    list_display = (
        "id",
        "topic",
        "account_column",
        "phone_number",
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
    change_form_template = "admin/callbacks/callbackrequest/change_form.html"
    readonly_fields = (
        "account",
        "requester",
        "phone_number",
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
                    ("phone_number", "topic"),
                    "description",
                    ("status", "holder", "ticket"),
                    ("created_at", "due_at", "answered_at"),
                    ("breached_at", "escalation_level", "closed_at"),
                )
            },
        ),
        (_("Notes"), {"fields": ("notes",)}),
    )

    class Media:
        css = {"all": ("css/admin-tickets.css", "css/admin-callbacks.css")}
        js = ("js/waited.js",)

    # Customers ask for callbacks; no deletion either (a ServiceModelAdmin without
    # delete_object): a request is the record its SLA report and ticket refer to.
    def has_add_permission(self, request) -> bool:
        return False

    def get_urls(self):
        return admin_actions.action_urls(self) + super().get_urls()

    def get_fieldsets(self, request, obj=None):
        return [self.fieldsets[0]] if obj is None else self.fieldsets

    def get_list_display(self, request):
        next_url = quote(request.get_full_path(), safe="")

        @admin.display(description=_("work"))
        def work(obj: CallbackRequest) -> str:
            return admin_actions.list_buttons(obj, request.user, next_url=next_url)

        return (*self.list_display, work)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        callback = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if callback is not None:
            user = request.user
            extra["callback_work"] = {
                "callback": callback,
                "phone": admin_actions.phone_for_reading(callback.phone),
                "waited": admin_actions.waited_display(callback),
                "buttons": admin_actions.buttons_for(callback, user, next_url="", compact=False),
                "holds": callback.status == CallbackStatus.IN_PROGRESS
                and callback.holder_id == user.pk,
                "held_by_another": callback.status == CallbackStatus.IN_PROGRESS
                and callback.holder_id not in (None, user.pk),
                "note_max": services.NOTE_MAX,
            }
        return super().change_view(request, object_id, form_url, extra)

    @admin.display(description=_("account"), ordering="account__name")
    def account_column(self, obj: CallbackRequest) -> str:
        return obj.account.name

    @admin.display(description=_("phone number"), ordering="phone")
    def phone_number(self, obj: CallbackRequest) -> str:
        return admin_actions.phone_link(obj.phone)

    @admin.display(description=_("waited"))
    def waited(self, obj: CallbackRequest) -> str:
        return admin_actions.waited_display(obj)

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
