"""Leads watch the outbox here: what waits, what failed and why, and a Retry for rows
that stopped. Nobody adds, edits or deletes a row by hand."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.core.outbox.models import OutboxMessage, OutboxStatus
from helpdesk.core.outbox.selectors import outbox_backlog
from helpdesk.core.outbox.services import outbox_retry

NOTHING_TO_RETRY = _("Only stopped or failed deliveries can be retried; nothing was queued.")


def _retried(count: int) -> str:
    return ngettext(
        "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
    ) % {"count": count}


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["key", "kind", "status", "attempts", "created_at", "next_attempt_at", "error"]
    list_filter = ["status", "kind"]
    search_fields = ["key"]
    readonly_fields = (
        "kind",
        "key",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "payload",
    )
    fields = readonly_fields
    actions = ["retry"]
    change_list_template = "admin/outbox/change_list.html"
    change_form_template = "admin/outbox/change_form.html"

    @admin.display(description=_("last error"))
    def error(self, row: OutboxMessage) -> str:
        return row.last_error[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        codename = get_permission_codename("retry", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    @admin.action(description=_("Retry the selected deliveries"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        self._retry(request, list(queryset.values_list("pk", flat=True)))

    def _retry(self, request: HttpRequest, ids: list[int]) -> None:
        count = outbox_retry(ids=ids)
        if count:
            self.message_user(request, _retried(count), messages.SUCCESS)
        else:
            self.message_user(request, NOTHING_TO_RETRY, messages.ERROR)

    def get_urls(self) -> list[URLPattern]:
        retry = self.admin_site.admin_view(self.retry_view)
        return [
            path("<int:pk>/retry/", retry, name="outbox_outboxmessage_retry"),
            *super().get_urls(),
        ]

    def retry_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:outbox_outboxmessage_change", args=[pk]))
        if not self.has_retry_permission(request):
            raise PermissionDenied
        row = get_object_or_404(OutboxMessage, pk=pk)
        self._retry(request, [row.pk])
        return HttpResponseRedirect(reverse("admin:outbox_outboxmessage_change", args=[pk]))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "backlog": outbox_backlog()}
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        row = self.get_object(request, object_id)
        can_retry = bool(
            row
            and row.status in (OutboxStatus.FAILED, OutboxStatus.STOPPED)
            and self.has_retry_permission(request)
        )
        extra_context = {**(extra_context or {}), "can_retry": can_retry}
        return super().change_view(request, object_id, form_url, extra_context)
