"""The SLA records in the admin: the business calendar with its hours and holidays, and
response-time exceptions, every change and deletion through the SLA services."""

from django import forms
from django.contrib import admin

from accounts.models import User
from helpdesk.core.adminforms import ServiceChangeForm, ServiceInline, ServiceModelAdmin
from helpdesk.core.textclean import CleanCharField, CleanTextAdminMixin
from sla import services
from sla.models import BusinessCalendar, BusinessHours, Holiday, ResponseTimeException


class BusinessHoursInline(ServiceInline, admin.TabularInline):
    model = BusinessHours
    extra = 0

    def row_save(
        self, *, form: forms.ModelForm, parent: BusinessCalendar, actor: User
    ) -> BusinessHours:
        data = form.cleaned_data
        return services.business_hours_save(
            hours=form.instance,
            actor=actor,
            weekday=data["weekday"],
            opens=data["opens"],
            closes=data["closes"],
        )

    def row_delete(self, *, obj: BusinessHours, actor: User) -> None:
        services.business_hours_delete(hours=obj, actor=actor)


class HolidayInline(CleanTextAdminMixin, ServiceInline, admin.TabularInline):
    model = Holiday
    extra = 0

    def row_save(self, *, form: forms.ModelForm, parent: BusinessCalendar, actor: User) -> Holiday:
        data = form.cleaned_data
        return services.holiday_save(
            holiday=form.instance, actor=actor, day=data["date"], name=data["name"]
        )

    def row_delete(self, *, obj: Holiday, actor: User) -> None:
        services.holiday_delete(holiday=obj, actor=actor)


class BusinessCalendarForm(ServiceChangeForm):
    class Meta:
        model = BusinessCalendar
        fields = ("name", "time_zone", "is_default", "business_day_minutes")

    def apply(self, *, actor: User) -> list[str]:
        data = self.cleaned_data
        services.business_calendar_save(
            calendar=self.instance,
            actor=actor,
            name=data["name"],
            time_zone=data["time_zone"],
            is_default=data["is_default"],
            business_day_minutes=data["business_day_minutes"],
        )
        return []


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(CleanTextAdminMixin, ServiceModelAdmin):
    form = BusinessCalendarForm
    list_display = ("name", "time_zone", "is_default", "business_day_minutes")
    inlines = (BusinessHoursInline, HolidayInline)

    def delete_object(self, *, obj: BusinessCalendar, actor: User) -> None:
        services.business_calendar_delete(calendar=obj, actor=actor)


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

    def delete_object(self, *, obj: ResponseTimeException, actor: User) -> None:
        services.response_time_exception_delete(exception=obj, actor=actor)
