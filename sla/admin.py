from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from helpdesk.core.textclean import CleanCharField, CleanTextAdminMixin, limit_message
from sla.models import BusinessCalendar, BusinessHours, Holiday, ResponseTimeException

REASON_MAX = 200
REASON_TOO_LONG = limit_message(_("Keep the reason to {limit} characters or fewer."), REASON_MAX)


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class HolidayInline(CleanTextAdminMixin, admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ("name", "time_zone", "is_default", "business_day_minutes")
    inlines = (BusinessHoursInline, HolidayInline)


class ResponseTimeExceptionForm(forms.ModelForm):
    # Shown on every ticket the exception covers: one line, under the input rule.
    reason = CleanCharField(
        label=ResponseTimeException._meta.get_field("reason").verbose_name,
        max_length=REASON_MAX,
        error_messages={"too_long": REASON_TOO_LONG},
    )

    class Meta:
        model = ResponseTimeException
        fields = ("starts_at", "ends_at", "reason", "account")


@admin.register(ResponseTimeException)
class ResponseTimeExceptionAdmin(admin.ModelAdmin):
    form = ResponseTimeExceptionForm
    list_display = ("reason", "starts_at", "ends_at", "account", "created_by")
    list_filter = ("account",)
    list_select_related = ("account", "created_by")
    autocomplete_fields = ("account",)
    date_hierarchy = "starts_at"

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
