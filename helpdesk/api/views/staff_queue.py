"""The specialists' API for callbacks (claim, calls, complete) and chats (read), and
the leads' SLA attainment report."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from chat.selectors import conversation_list_for
from helpdesk.api.permissions import CanViewSlaReport, IsAgent
from helpdesk.api.serializers.others import (
    CallbackAttemptCreateSerializer,
    CallbackAttemptSerializer,
    CallbackCompleteSerializer,
    ChatSerializer,
    ChatTranscriptSerializer,
    SlaReportQuerySerializer,
    SlaReportSerializer,
    StaffCallbackSerializer,
)
from helpdesk.api.views.base import ApiView, ListView
from helpdesk.api.views.customer import chat_transcript_response
from helpdesk.callbacks import selectors as callback_selectors
from helpdesk.callbacks import services as callback_services
from helpdesk.callbacks.models import CallbackOutcome, CallbackStatus
from sla.reports import attainment_report


class CallbackFilterSerializer(serializers.Serializer):
    status = serializers.MultipleChoiceField(choices=CallbackStatus.choices, required=False)


class StaffCallbackList(ListView):
    """Every callback request (filter by status, e.g. waiting), newest first."""

    permission_classes = [IsAgent]
    serializer_class = StaffCallbackSerializer

    @extend_schema(parameters=[CallbackFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        filters = self.query(CallbackFilterSerializer, self.request)
        return callback_selectors.callback_search_for_staff(
            user=self.request.user, statuses=sorted(filters.get("status") or [])
        )


class StaffCallbackClaim(ApiView):
    """Take a waiting callback (one specialist wins; the other gets already_claimed)."""

    permission_classes = [IsAgent]
    serializer_class = StaffCallbackSerializer

    @extend_schema(request=None, responses={200: StaffCallbackSerializer})
    def post(self, request: Request, callback_id: int) -> Response:
        callback = callback_selectors.callback_get_for(user=request.user, callback_id=callback_id)
        callback = callback_services.callback_claim(callback=callback, specialist=request.user)
        return Response(StaffCallbackSerializer(callback).data)


class StaffCallbackAttempt(ApiView):
    """Record a call on a callback you hold; three failed calls abandon it."""

    permission_classes = [IsAgent]
    serializer_class = CallbackAttemptSerializer

    @extend_schema(
        request=CallbackAttemptCreateSerializer, responses={201: CallbackAttemptSerializer}
    )
    def post(self, request: Request, callback_id: int) -> Response:
        callback = callback_selectors.callback_get_for(user=request.user, callback_id=callback_id)
        data = self.validated(CallbackAttemptCreateSerializer, request)
        attempt = callback_services.callback_attempt_record(
            callback=callback,
            specialist=request.user,
            outcome=CallbackOutcome(data["outcome"]),
            note=data["note"],
        )
        return Response(CallbackAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class StaffCallbackComplete(ApiView):
    """Complete a callback you hold, with notes."""

    permission_classes = [IsAgent]
    serializer_class = StaffCallbackSerializer

    @extend_schema(request=CallbackCompleteSerializer, responses={200: StaffCallbackSerializer})
    def post(self, request: Request, callback_id: int) -> Response:
        callback = callback_selectors.callback_get_for(user=request.user, callback_id=callback_id)
        data = self.validated(CallbackCompleteSerializer, request)
        callback_services.callback_complete(
            callback=callback, specialist=request.user, notes=data["notes"]
        )
        callback = callback_selectors.callback_get_for(user=request.user, callback_id=callback_id)
        return Response(StaffCallbackSerializer(callback).data)


class StaffChatList(ListView):
    """Every chat, newest first."""

    permission_classes = [IsAgent]
    serializer_class = ChatSerializer

    def get_queryset(self) -> Any:
        return conversation_list_for(user=self.request.user)


class StaffChatDetail(ApiView):
    """A chat with its whole transcript."""

    permission_classes = [IsAgent]
    serializer_class = ChatTranscriptSerializer

    def get(self, request: Request, chat_id: int) -> Response:
        return chat_transcript_response(request, chat_id)


class SlaReport(ApiView):
    """The SLA attainment report per week or month, per kind or per specialist (leads)."""

    permission_classes = [CanViewSlaReport]
    serializer_class = SlaReportSerializer

    @extend_schema(parameters=[SlaReportQuerySerializer])
    def get(self, request: Request) -> Response:
        query = self.query(SlaReportQuerySerializer, request)
        rows = attainment_report(period=query["period"], by=query["by"])
        return Response(SlaReportSerializer({**query, "rows": rows}).data)
