"""Email and files in the admin: the inbound log (leads see every message that reached
the support mailbox, what became of it and why; read only, the log is the service's
record) and a ticket's attachments on its page."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from helpdesk.core.paginator import CappedCountPaginator
from helpdesk.tickets.models import InboundEmail


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "received_at",
        "sender",
        "subject",
        "outcome",
        "reason",
        "ticket",
        "answered",
        "transport",
    ]
    list_filter = ["outcome", "reason", "transport", "answered"]
    search_fields = ["sender", "subject", "message_id"]
    list_select_related = ["ticket"]
    paginator = CappedCountPaginator
    readonly_fields = (
        "received_at",
        "transport",
        "message_id",
        "sender",
        "subject",
        "size",
        "outcome",
        "reason",
        "detail",
        "ticket",
        "reply",
        "answered",
    )
    fields = readonly_fields
    date_hierarchy = "received_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
