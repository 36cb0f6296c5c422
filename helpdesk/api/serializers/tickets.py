"""Tickets as the API shows them: to customers with their public thread, to staff with
internal notes, SLA state and assignment."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from helpdesk.api.serializers.base import (
    PersonSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)
from helpdesk.tickets.models import ReplyVisibility, Ticket, TicketStatus


class ReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author_name = serializers.CharField(source="author.get_full_name")
    author_is_staff = serializers.BooleanField(source="author.is_staff")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class StaffReplySerializer(ReplySerializer):
    author = PersonSerializer()
    visibility = serializers.ChoiceField(choices=ReplyVisibility.choices)


class TicketSerializer(serializers.ModelSerializer):
    requester = PersonSerializer()

    class Meta:
        model = Ticket
        fields = (
            "id",
            "subject",
            "description",
            "status",
            "channel",
            "business_critical",
            "requester",
            "created_at",
            "updated_at",
            "due_at",
            "answered_at",
            "sla_kind",
        )
        read_only_fields = fields


class TicketDetailSerializer(TicketSerializer):
    thread = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = (*TicketSerializer.Meta.fields, "thread")
        read_only_fields = fields

    @extend_schema_field(ReplySerializer(many=True))
    def get_thread(self, ticket: Ticket) -> list[Any]:
        return ReplySerializer(self.context["thread"], many=True).data


class AccountRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StaffTicketSerializer(TicketSerializer):
    account = AccountRefSerializer()
    assignee = PersonSerializer(allow_null=True)

    class Meta(TicketSerializer.Meta):
        fields = (
            *TicketSerializer.Meta.fields,
            "account",
            "assignee",
            "requester_role",
            "sla_policy",
            "warned_at",
            "breached_at",
            "escalation_level",
        )
        read_only_fields = fields


class StaffTicketDetailSerializer(StaffTicketSerializer):
    thread = serializers.SerializerMethodField()

    class Meta(StaffTicketSerializer.Meta):
        fields = (*StaffTicketSerializer.Meta.fields, "thread")
        read_only_fields = fields

    @extend_schema_field(StaffReplySerializer(many=True))
    def get_thread(self, ticket: Ticket) -> list[Any]:
        return StaffReplySerializer(self.context["thread"], many=True).data


class TicketCreateSerializer(StrictSerializer):
    subject = StrictCharField()
    description = StrictCharField()
    business_critical = StrictBooleanField(
        required=False,
        default=False,
        help_text="Super admins only (PRODUCT.md §3); anyone else sending true is refused.",
    )


class ReplyCreateSerializer(StrictSerializer):
    body = StrictCharField()


class StaffReplyCreateSerializer(ReplyCreateSerializer):
    visibility = serializers.ChoiceField(
        choices=ReplyVisibility.choices, required=False, default=ReplyVisibility.PUBLIC
    )


class ReplyCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ticket = serializers.IntegerField(source="ticket_id")
    visibility = serializers.ChoiceField(choices=ReplyVisibility.choices)
    created_at = serializers.DateTimeField()


class AssignSerializer(StrictSerializer):
    assignee = StrictIntegerField(allow_null=True, help_text="A specialist's id, or null.")


class ReclassifySerializer(StrictSerializer):
    business_critical = StrictBooleanField()
    reason = StrictCharField()


class StaffTicketFilterSerializer(serializers.Serializer):
    """The staff list's query parameters."""

    status = serializers.MultipleChoiceField(choices=TicketStatus.choices, required=False)
    sla_state = serializers.ChoiceField(
        choices=["breached", "due_soon", "overdue_target", "exempt", "unanswered"],
        required=False,
    )
    business_critical = serializers.BooleanField(required=False, allow_null=True, default=None)
    assignee = serializers.CharField(
        required=False, help_text='A specialist\'s id, "me" or "none" (unassigned).'
    )
    account = serializers.IntegerField(required=False, min_value=1)
    updated_since = serializers.DateTimeField(required=False)
