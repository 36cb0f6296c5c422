from django.contrib import admin

from chat.models import Conversation, Message


class MessageInline(admin.TabularInline):
    """The transcript, read-only: a chat is a record, not something to edit."""

    model = Message
    fields = ("seq", "created_at", "sender", "sender_role", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("seq",)

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

    # A chat is changed by its services (accept, end, ticket) from the console; here it is
    # read: every field is read-only, so a change form would only re-save the row.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
