"""The specialists' API for tickets: the admin's filters, replies and notes, assignment,
reclassification, solving. Every change goes through the service the admin uses."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import agent_get
from helpdesk.api.permissions import IsAgent
from helpdesk.api.serializers.tickets import (
    AssignSerializer,
    ReclassifySerializer,
    ReplyCreatedSerializer,
    StaffReplyCreateSerializer,
    StaffTicketDetailSerializer,
    StaffTicketFilterSerializer,
    StaffTicketSerializer,
)
from helpdesk.api.views.base import ApiView, ListView
from helpdesk.api.views.customer import ticket_detail_response
from helpdesk.tickets import selectors as ticket_selectors
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.models import ReplyVisibility, TicketStatus

ASSIGNEE_FILTER_INVALID = _('Give a specialist\'s id, "me" or "none".')
ASSIGNEE_NOT_STAFF = _("Choose a specialist or a lead.")


class StaffTicketList(ListView):
    """Every ticket, with the admin's filters; newest first."""

    permission_classes = [IsAgent]
    serializer_class = StaffTicketSerializer

    @extend_schema(parameters=[StaffTicketFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        filters = self.query(StaffTicketFilterSerializer, self.request)
        assignee = filters.get("assignee")
        assignee_id = None
        if assignee == "me":
            assignee_id = self.request.user.pk
        elif assignee not in (None, "none"):
            if not str(assignee).isdigit():
                raise ValidationError(
                    {"assignee": ValidationError(ASSIGNEE_FILTER_INVALID, code="invalid")}
                )
            assignee_id = int(str(assignee))
        return ticket_selectors.ticket_search_for_staff(
            user=self.request.user,
            statuses=sorted(filters.get("status") or []),
            sla_state=filters.get("sla_state"),
            business_critical=filters.get("business_critical"),
            assignee_id=assignee_id,
            unassigned=assignee == "none",
            account_id=filters.get("account"),
            updated_since=filters.get("updated_since"),
        )


class StaffTicketDetail(ApiView):
    """A ticket with its whole thread, internal notes included."""

    permission_classes = [IsAgent]
    serializer_class = StaffTicketDetailSerializer

    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
        return ticket_detail_response(request, ticket, staff=True)


class StaffTicketReply(ApiView):
    """A public reply (the first stops the SLA clock) or an internal note."""

    permission_classes = [IsAgent]
    serializer_class = ReplyCreatedSerializer

    @extend_schema(request=StaffReplyCreateSerializer, responses={201: ReplyCreatedSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
        data = self.validated(StaffReplyCreateSerializer, request)
        reply = ticket_services.ticket_reply(
            ticket=ticket,
            author=request.user,
            body=data["body"],
            visibility=ReplyVisibility(data["visibility"]),
        )
        return Response(ReplyCreatedSerializer(reply).data, status=status.HTTP_201_CREATED)


class StaffTicketAssign(ApiView):
    """Assign to a specialist, or unassign (null)."""

    permission_classes = [IsAgent]
    serializer_class = StaffTicketDetailSerializer

    @extend_schema(request=AssignSerializer, responses={200: StaffTicketDetailSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
        data = self.validated(AssignSerializer, request)
        assignee = None
        if data["assignee"] is not None:
            assignee = agent_get(user_id=data["assignee"])
            if assignee is None:
                raise ValidationError(
                    {"assignee": ValidationError(ASSIGNEE_NOT_STAFF, code="not_staff")}
                )
        ticket_services.ticket_assign(ticket=ticket, assignee=assignee, actor=request.user)
        ticket = ticket_selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
        return ticket_detail_response(request, ticket, staff=True)


class StaffTicketReclassify(ApiView):
    """Business-critical or standard, with a reason; the deadline is recomputed."""

    permission_classes = [IsAgent]
    serializer_class = StaffTicketDetailSerializer

    @extend_schema(request=ReclassifySerializer, responses={200: StaffTicketDetailSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
        data = self.validated(ReclassifySerializer, request)
        ticket_services.ticket_reclassify(
            ticket=ticket,
            business_critical=data["business_critical"],
            reason=data["reason"],
            actor=request.user,
        )
        ticket = ticket_selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
        return ticket_detail_response(request, ticket, staff=True)


class StaffTicketSolve(ApiView):
    """Mark the ticket solved (it stops being escalated)."""

    permission_classes = [IsAgent]
    serializer_class = StaffTicketDetailSerializer

    @extend_schema(request=None, responses={200: StaffTicketDetailSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
        ticket_services.ticket_set_status(
            ticket=ticket, status=TicketStatus.SOLVED, actor=request.user
        )
        ticket = ticket_selectors.ticket_get_for(user=request.user, ticket_id=ticket_id)
        return ticket_detail_response(request, ticket, staff=True)
