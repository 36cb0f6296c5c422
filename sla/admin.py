from django.contrib import admin

from accounts.models import User
from helpdesk.core.adminforms import ServiceChangeForm, ServiceModelAdmin
from helpdesk.core.textclean import CleanCharField, CleanTextAdminMixin
from sla import services
from sla.models import BusinessCalendar, BusinessHours, Holiday, ResponseTimeException


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


class ResponseTimeExceptionForm(ServiceChangeForm):
    # Shown on every ticket the exception covers: one line, under the input rule.
    reason = CleanCharField(
        label=ResponseTimeException._meta.get_field("reason").verbose_name,
        max_length=services.EXCEPTION_REASON_MAX,
        error_messages={"too_long": services.EXCEPTION_REASON_TOO_LONG},
    )

    class Meta:
        model = ResponseTimeException
        fields = ("starts_at", "ends_at", "reason", "account")

    def apply(self, *, actor: User) -> list[str]:
        data = self.cleaned_data
        services.response_time_exception_save(
            exception=self.instance,
            actor=actor,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data["reason"],
            account=data["account"],
        )
        return []


@admin.register(ResponseTimeException)
class ResponseTimeExceptionAdmin(ServiceModelAdmin):
    form = ResponseTimeExceptionForm
    list_display = ("reason", "starts_at", "ends_at", "account", "created_by")
    list_filter = ("account",)
    list_select_related = ("account", "created_by")
    autocomplete_fields = ("account",)
    date_hierarchy = "starts_at"
