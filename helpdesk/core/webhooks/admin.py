"""Leads register webhook endpoints and watch their deliveries; the changes are made by
the services (helpdesk.core.adminforms), deliveries are read only, with Resend."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.core.adminforms import ServiceChangeForm, ServiceModelAdmin
from helpdesk.core.webhooks import services
from helpdesk.core.webhooks.events import WebhookEvent
from helpdesk.core.webhooks.models import WebhookDelivery, WebhookEndpoint

SECRET_SHOWN_ONCE = _("Signing secret (shown only now; copy it into your receiver): %(secret)s")


class WebhookEndpointForm(ServiceChangeForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "is_active"]

    def apply(self, *, actor: Any) -> list[str]:
        data = self.cleaned_data
        if self.instance.pk is None:
            endpoint, secret = services.webhook_endpoint_create(
                name=data["name"], url=data["url"], events=data["events"], actor=actor
            )
            self.instance.pk = endpoint.pk
            self.instance.secret = endpoint.secret
            self.instance._state.adding = False
            return [str(SECRET_SHOWN_ONCE % {"secret": secret})]
        services.webhook_endpoint_update(
            endpoint=self.instance,
            name=data["name"],
            url=data["url"],
            events=data["events"],
            is_active=data["is_active"],
        )
        return []


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "is_active", "failing_since", "disabled_at"]
    list_filter = ["is_active"]
    readonly_fields = ["failing_since", "disabled_at", "created_by", "created_at"]

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        services.webhook_endpoint_delete(endpoint=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            services.webhook_endpoint_delete(endpoint=endpoint)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "event",
        "endpoint",
        "state",
        "attempts",
        "last_status_code",
        "last_response_ms",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["state", "event", "endpoint"]
    readonly_fields = (
        "endpoint",
        "event",
        "key",
        "state",
        "attempts",
        "last_status_code",
        "last_response_ms",
        "last_error",
        "created_at",
        "delivered_at",
        "body",
    )
    fields = readonly_fields
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        codename = get_permission_codename("resend", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    @admin.action(description=_("Resend the selected deliveries"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = services.webhook_resend(delivery_ids=queryset.values_list("pk", flat=True))
        if not count:
            self.message_user(
                request, _("Nothing was resent: the endpoints are disabled."), messages.ERROR
            )
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
        )
