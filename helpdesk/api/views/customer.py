"""The customer's API: what the portal offers, scoped like the portal (their own items,
or their account's for super admins), through the same selectors and services."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import PremiumChannel
from accounts.selectors import HOW_TO_GET_PREMIUM, entitlement_for
from chat.selectors import conversation_get_for, conversation_list_for, messages_in_order
from helpdesk.api.permissions import IsCustomer
from helpdesk.api.serializers.others import (
    CallbackCreateSerializer,
    CallbackSerializer,
    ChatSerializer,
    ChatTranscriptSerializer,
    EntitlementSerializer,
)
from helpdesk.api.serializers.tickets import (
    ReplyCreatedSerializer,
    ReplyCreateSerializer,
    StaffTicketDetailSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)
from helpdesk.api.views.base import ApiView, ListView
from helpdesk.callbacks import selectors as callback_selectors
from helpdesk.callbacks import services as callback_services
from helpdesk.tickets import selectors as ticket_selectors
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.models import ReplyVisibility, Ticket, TicketChannel


def ticket_detail_response(
    request: Request, ticket: Ticket, *, created: bool = False, staff: bool = False
) -> Response:
    serializer_class = StaffTicketDetailSerializer if staff else TicketDetailSerializer
    thread = ticket_selectors.ticket_thread_for(user=request.user, ticket=ticket)
    data = serializer_class(ticket, context={"thread": thread}).data
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class TicketListCreate(ListView):
    """Your tickets (a super admin: the account's), newest first; submit an email ticket."""

    permission_classes = [IsCustomer]
    serializer_class = TicketSerializer

    def get_queryset(self) -> Any:
        return ticket_selectors.ticket_list_for(user=self.request.user)

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketDetailSerializer})
    def post(self, request: Request) -> Response:
        entitlement = entitlement_for(user=request.user, request=request._request)
        if not entitlement.allows(PremiumChannel.EMAIL):
            # Authorised before anything is validated, as the page does.
            raise PermissionDenied(ticket_services.CHANNEL_NOT_ALLOWED)
        data = self.validated(TicketCreateSerializer, request)
        ticket = ticket_services.ticket_create(
            requester=request.user,
            channel=TicketChannel.EMAIL,
            subject=data["subject"],
            description=data["description"],
            business_critical=data["business_critical"],
            entitlement=entitlement,
        )
        ticket = ticket_selectors.ticket_get_for(user=request.user, ticket_id=ticket.pk)
        return ticket_detail_response(request, ticket, created=True)


class TicketDetail(ApiView):
    """A ticket with its public thread."""

    permission_classes = [IsCustomer]
    serializer_class = TicketDetailSerializer

    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
        return ticket_detail_response(request, ticket)


class TicketReplyCreate(ApiView):
    """Reply on an open ticket (reopens one waiting on you)."""

    permission_classes = [IsCustomer]
    serializer_class = ReplyCreatedSerializer

    @extend_schema(request=ReplyCreateSerializer, responses={201: ReplyCreatedSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
        data = self.validated(ReplyCreateSerializer, request)
        reply = ticket_services.ticket_reply(
            ticket=ticket, author=request.user, body=data["body"], visibility=ReplyVisibility.PUBLIC
        )
        return Response(ReplyCreatedSerializer(reply).data, status=status.HTTP_201_CREATED)


class TicketSolve(ApiView):
    """Mark your own ticket solved (the portal's "My problem is solved")."""

    permission_classes = [IsCustomer]
    serializer_class = TicketDetailSerializer

    @extend_schema(request=None, responses={200: TicketDetailSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        # Only the requester solves or reopens: anyone else's ticket is a 404, as in the portal.
        ticket = ticket_selectors.ticket_own_get(user=request.user, ticket_id=ticket_id)
        ticket = ticket_services.ticket_solve_by_customer(ticket=ticket, customer=request.user)
        return ticket_detail_response(request, ticket)


class TicketReopen(ApiView):
    """Reopen your own solved ticket within TICKET_CUSTOMER_REOPEN_DAYS."""

    permission_classes = [IsCustomer]
    serializer_class = TicketDetailSerializer

    @extend_schema(request=None, responses={200: TicketDetailSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_selectors.ticket_own_get(user=request.user, ticket_id=ticket_id)
        ticket = ticket_services.ticket_reopen_by_customer(ticket=ticket, customer=request.user)
        return ticket_detail_response(request, ticket)


class CallbackListCreate(ListView):
    """Your callback requests (a super admin: the account's); ask for a callback. The
    same request again within a minute answers 200 with the first one."""

    permission_classes = [IsCustomer]
    serializer_class = CallbackSerializer

    def get_queryset(self) -> Any:
        return callback_selectors.callback_list_for(user=self.request.user).select_related(
            "requester"
        )

    @extend_schema(
        request=CallbackCreateSerializer,
        responses={201: CallbackSerializer, 200: CallbackSerializer},
    )
    def post(self, request: Request) -> Response:
        entitlement = entitlement_for(user=request.user, request=request._request)
        if not entitlement.allows(PremiumChannel.PHONE):
            raise PermissionDenied(callback_services.CHANNEL_NOT_ALLOWED)
        data = self.validated(CallbackCreateSerializer, request)
        callback, created = callback_services.callback_request_create(
            requester=request.user,
            phone=data["phone"],
            topic=data["topic"],
            description=data["description"],
            entitlement=entitlement,
        )
        return Response(
            CallbackSerializer(callback).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CallbackCancel(ApiView):
    """Cancel a waiting callback request."""

    permission_classes = [IsCustomer]
    serializer_class = CallbackSerializer

    @extend_schema(request=None, responses={200: CallbackSerializer})
    def post(self, request: Request, callback_id: int) -> Response:
        callback = callback_selectors.callback_get_for(user=request.user, callback_id=callback_id)
        callback = callback_services.callback_cancel(callback=callback, actor=request.user)
        return Response(CallbackSerializer(callback).data)


class ChatList(ListView):
    """Your chats (a super admin: the account's), newest first."""

    permission_classes = [IsCustomer]
    serializer_class = ChatSerializer

    def get_queryset(self) -> Any:
        return conversation_list_for(user=self.request.user)


class ChatDetail(ApiView):
    """A chat with its whole transcript."""

    permission_classes = [IsCustomer]
    serializer_class = ChatTranscriptSerializer

    def get(self, request: Request, chat_id: int) -> Response:
        return chat_transcript_response(request, chat_id)


def chat_transcript_response(request: Request, chat_id: int) -> Response:
    chat = conversation_get_for(user=request.user, conversation_id=chat_id)
    if chat is None:
        raise Http404("No such chat.")
    chat.transcript = list(messages_in_order(conversation=chat))  # type: ignore[attr-defined]
    return Response(ChatTranscriptSerializer(chat).data)


class EntitlementView(ApiView):
    """The premium channels you may use, or why none (from this client: the mobile app
    gets none)."""

    permission_classes = [IsCustomer]
    serializer_class = EntitlementSerializer

    def get(self, request: Request) -> Response:
        entitlement = entitlement_for(user=request.user, request=request._request)
        reason = entitlement.reason
        data = {
            "allowed": entitlement.allowed,
            "channels": list(entitlement.channels),
            "reason": reason.value if reason else None,
            "message": str(reason.label) if reason else None,
            "how_to_get_premium": None if entitlement.allowed else str(HOW_TO_GET_PREMIUM),
        }
        return Response(EntitlementSerializer(data).data)
