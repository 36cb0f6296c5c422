from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from chat.models import Conversation, Message, MessageAttachment


def message_file_html(message: Message) -> SafeString | str:
    """A file message's file: its thumbnail (images) and name, linking to the download
    view, which checks the reader may see the chat."""
    try:
        attachment: MessageAttachment = message.attachment
    except MessageAttachment.DoesNotExist:
        return ""
    url = reverse("chat_attachment", args=[attachment.pk])
    thumb = (
        format_html(
            '<img src="{}?thumbnail=1" alt="{}" class="attachment-thumb"><br>',
            url,
            attachment.name,
        )
        if attachment.thumbnail_path
        else ""
    )
    return format_html(
        '<a href="{}" download="{}">{}{}</a> ({})',
        url,
        attachment.name,
        thumb,
        attachment.name,
        filesizeformat(attachment.size),
    )


class MessageInline(admin.TabularInline):
    """The transcript, read-only: a chat is a record, not something to edit."""

    model = Message
    fields = ("seq", "created_at", "sender", "sender_role", "body", "file")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("seq",)

    @admin.display(description=_("file"))
    def file(self, message: Message) -> SafeString | str:
        return message_file_html(message)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return super().get_queryset(request).select_related("sender", "attachment")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "topic",
        "customer",
        "account",
        "status",
        "specialist",
        "created_at",
        "due_at",
        "accepted_at",
        "answered_at",
        "ended_at",
    )
    list_filter = ("status", "account")
    search_fields = ("topic", "customer__email", "customer__full_name", "account__name")
    list_select_related = ("customer", "account", "specialist")
    date_hierarchy = "created_at"
    # What a lead reads on a transcript; the sequence counters, delivery marks and the
    # sweep's next check are the machinery's, not the chat's.
    fields = (
        ("topic", "status"),
        ("customer", "account", "specialist"),
        ("created_at", "due_at", "accepted_at", "auto_assigned_at"),
        ("answered_at", "breached_at", "escalation_level"),
        ("ended_at", "ended_by", "ticket"),
    )
    readonly_fields = [
        "topic",
        "status",
        "customer",
        "account",
        "specialist",
        "created_at",
        "due_at",
        "accepted_at",
        "auto_assigned_at",
        "answered_at",
        "breached_at",
        "escalation_level",
        "ended_at",
        "ended_by",
        "ticket",
    ]
    inlines = (MessageInline,)
    change_list_template = "admin/chat/conversation/change_list.html"

    class Media:
        css = {"all": ("css/admin-tickets.css",)}  # the attachment thumbnails' size

    # A chat is changed by its services (accept, end, ticket) from the console; here it is
    # read: every field is read-only, so a change form would only re-save the row.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
