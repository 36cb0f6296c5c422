"""Callbacks, chats, entitlement, the SLA report, knowledge-base articles and tokens."""

from django.conf import settings
from rest_framework import serializers

from accounts.models import PremiumChannel
from accounts.selectors import NoEntitlementReason
from chat.models import Conversation
from helpdesk.api.serializers.base import (
    PersonSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictSerializer,
)
from helpdesk.callbacks.models import CallbackOutcome, CallbackRequest

LANGUAGES = [code for code, _name in settings.LANGUAGES]


class CallbackSerializer(serializers.ModelSerializer):
    requester = PersonSerializer()

    class Meta:
        model = CallbackRequest
        fields = (
            "id",
            "phone",
            "topic",
            "description",
            "status",
            "requester",
            "created_at",
            "due_at",
            "answered_at",
            "closed_at",
        )
        read_only_fields = fields


class StaffCallbackSerializer(CallbackSerializer):
    holder = PersonSerializer(allow_null=True)
    account = serializers.IntegerField(source="account_id")

    class Meta(CallbackSerializer.Meta):
        fields = (
            *CallbackSerializer.Meta.fields,
            "account",
            "holder",
            "notes",
            "breached_at",
            "escalation_level",
        )
        read_only_fields = fields


class CallbackCreateSerializer(StrictSerializer):
    phone = StrictCharField()
    topic = StrictCharField()
    description = StrictCharField(required=False, default="")


class CallbackAttemptCreateSerializer(StrictSerializer):
    outcome = serializers.ChoiceField(choices=CallbackOutcome.choices)
    note = StrictCharField(required=False, default="")


class CallbackAttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    callback = serializers.IntegerField(source="callback_id")
    outcome = serializers.ChoiceField(choices=CallbackOutcome.choices)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class CallbackCompleteSerializer(StrictSerializer):
    notes = StrictCharField(required=False, default="")


class ChatMessageSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    sender_role = serializers.CharField()
    sender_name = serializers.CharField(source="sender.get_short_name")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class ChatSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    topic = serializers.CharField()
    status = serializers.CharField()
    customer = PersonSerializer()
    specialist_name = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    last_seq = serializers.IntegerField()

    def get_specialist_name(self, chat: Conversation) -> str:
        return chat.specialist.get_short_name() if chat.specialist else ""


class ChatTranscriptSerializer(ChatSerializer):
    messages = ChatMessageSerializer(many=True, source="transcript")


class EntitlementSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    channels = serializers.ListField(child=serializers.ChoiceField(choices=PremiumChannel.choices))
    reason = serializers.ChoiceField(
        choices=NoEntitlementReason.choices, allow_null=True, help_text="Why there is none."
    )
    message = serializers.CharField(allow_null=True)
    how_to_get_premium = serializers.CharField(allow_null=True)


class SlaReportRowSerializer(serializers.Serializer):
    period = serializers.DateField()
    kind = serializers.CharField()
    specialist = serializers.CharField(help_text='Empty unless by=specialist; "Unassigned".')
    items = serializers.IntegerField()
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    stopped = serializers.IntegerField(
        help_text="The clock stopped by the deadline without a response or a breach."
    )
    exempt = serializers.IntegerField()
    pending = serializers.IntegerField()
    percent_met = serializers.FloatField(allow_null=True)
    median_minutes = serializers.FloatField(allow_null=True)
    p90_minutes = serializers.FloatField(allow_null=True)


class SlaReportSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=["week", "month"])
    by = serializers.ChoiceField(choices=["kind", "specialist"])
    rows = SlaReportRowSerializer(many=True)


class SlaReportQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=["week", "month"], required=False, default="week")
    by = serializers.ChoiceField(choices=["kind", "specialist"], required=False, default="kind")


class ArticleSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    language = serializers.CharField()
    is_published = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


class ArticleDetailSerializer(ArticleSerializer):
    body = serializers.CharField(help_text="Markdown.")


class ArticleWriteSerializer(StrictSerializer):
    title = StrictCharField()
    summary = StrictCharField()
    body = StrictCharField()
    language = serializers.ChoiceField(choices=LANGUAGES, required=False, default="en")
    is_published = StrictBooleanField(required=False, default=True)


class ArticleQuerySerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=LANGUAGES, required=False)
