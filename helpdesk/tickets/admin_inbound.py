"""Email and files in the admin: the inbound log (leads see every message that reached
the support mailbox, what became of it and why; read only, the log is the service's
record) and a ticket's attachments on its page."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from helpdesk.core.paginator import CappedCountPaginator
from helpdesk.tickets.models import InboundEmail, Ticket


def ticket_attachments_html(admin: object, ticket: Ticket) -> SafeString | str:
    """Each file as a download link; images as their server-made thumbnail."""
    files = list(ticket.attachments.select_related("reply"))
    if not files:
        return _("No attachments.")
    rows = []
    for item in files:
        url = reverse("attachment_download", args=[item.pk])
        where = _("reply") if item.reply_id else _("ticket")
        thumb = (
            format_html('<img src="{}?thumbnail=1" alt="" class="attachment-thumb"> ', url)
            if item.thumbnail_path
            else ""
        )
        rows.append((url, thumb, item.name, item.size, where))
    return format_html_join(
        "",
        '<div class="attachment"><a href="{}">{}{}</a> ({} bytes, {})</div>',
        rows,
    )


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
