"""Specialists in the admin, for leads: who is Available or Away and each one's chat
capacity (the most chats held at once). Leads set the capacity; the rest is read."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.assignment import agents, chat_capacity_of
from accounts.models import Specialist, User
from helpdesk.core.adminforms import ServiceChangeForm, ServiceModelAdmin


class SpecialistForm(ServiceChangeForm):
    chat_capacity = forms.IntegerField(
        label=_("chat capacity"),
        required=False,
        min_value=0,
        max_value=services.CAPACITY_MAX,
        help_text=_("Most chats held at once. Empty: the default for every specialist."),
        error_messages={
            "min_value": services.CAPACITY_OUT_OF_RANGE,
            "max_value": services.CAPACITY_OUT_OF_RANGE,
            "invalid": services.CAPACITY_OUT_OF_RANGE,
        },
    )

    class Meta:
        model = Specialist
        fields = ("chat_capacity",)

    def apply(self, *, actor: User) -> list[str]:
        if "chat_capacity" in self.changed_data:
            services.specialist_capacity_set(
                specialist=self.instance, capacity=self.cleaned_data["chat_capacity"], actor=actor
            )
        return []


@admin.register(Specialist)
class SpecialistAdmin(ServiceModelAdmin):
    form = SpecialistForm
    list_display = ("email", "full_name", "availability", "capacity")
    list_filter = ("available",)
    search_fields = ("email", "full_name")
    fields = ("email", "full_name", "availability", "chat_capacity")
    readonly_fields = ("email", "full_name", "availability")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Specialist]:
        return super().get_queryset(request).filter(pk__in=agents().values("pk"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("availability"), ordering="available")
    def availability(self, obj: User) -> str:
        if obj.available:
            return format_html('<span class="badge badge-ok">{}</span>', _("Available"))
        return format_html('<span class="badge badge-muted">{}</span>', _("Away"))

    @admin.display(description=_("chat capacity"))
    def capacity(self, obj: User) -> str:
        if obj.chat_capacity is None:
            return _("%(count)s (default)") % {"count": chat_capacity_of(obj)}
        return str(obj.chat_capacity)
