from django.contrib import admin

from sla.models import BusinessCalendar, BusinessHours, Holiday, ResponseTimeException


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "is_default", "business_day_minutes")
    inlines = (BusinessHoursInline, HolidayInline)


@admin.register(ResponseTimeException)
class ResponseTimeExceptionAdmin(admin.ModelAdmin):
    list_display = ("reason", "starts_at", "ends_at", "account", "created_by")
    list_filter = ("account",)
    list_select_related = ("account", "created_by")
    autocomplete_fields = ("account",)
    date_hierarchy = "starts_at"

    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
