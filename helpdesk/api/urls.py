from django.urls import path

from helpdesk.api import portal
from helpdesk.api.views import customer, docs, kb, staff, staff_queue

v1 = "api/v1/"

urlpatterns = [
    path(f"{v1}schema/", docs.SchemaView.as_view(), name="api_schema"),
    path("api/docs/", docs.DocsView.as_view(), name="api_docs"),
    # Customers.
    path(f"{v1}tickets/", customer.TicketListCreate.as_view(), name="api_tickets"),
    path(f"{v1}tickets/<int:ticket_id>/", customer.TicketDetail.as_view(), name="api_ticket"),
    path(
        f"{v1}tickets/<int:ticket_id>/replies/",
        customer.TicketReplyCreate.as_view(),
        name="api_ticket_replies",
    ),
    path(
        f"{v1}tickets/<int:ticket_id>/solve/",
        customer.TicketSolve.as_view(),
        name="api_ticket_solve",
    ),
    path(
        f"{v1}tickets/<int:ticket_id>/reopen/",
        customer.TicketReopen.as_view(),
        name="api_ticket_reopen",
    ),
    path(f"{v1}callbacks/", customer.CallbackListCreate.as_view(), name="api_callbacks"),
    path(
        f"{v1}callbacks/<int:callback_id>/cancel/",
        customer.CallbackCancel.as_view(),
        name="api_callback_cancel",
    ),
    path(f"{v1}chats/", customer.ChatList.as_view(), name="api_chats"),
    path(f"{v1}chats/<int:chat_id>/", customer.ChatDetail.as_view(), name="api_chat"),
    path(f"{v1}entitlement/", customer.EntitlementView.as_view(), name="api_entitlement"),
    # Everyone (read), leads (write).
    path(f"{v1}kb/articles/", kb.ArticleList.as_view(), name="api_articles"),
    path(f"{v1}kb/articles/<slug:slug>/", kb.ArticleDetail.as_view(), name="api_article"),
    # Staff.
    path(f"{v1}staff/tickets/", staff.StaffTicketList.as_view(), name="api_staff_tickets"),
    path(
        f"{v1}staff/tickets/<int:ticket_id>/",
        staff.StaffTicketDetail.as_view(),
        name="api_staff_ticket",
    ),
    path(
        f"{v1}staff/tickets/<int:ticket_id>/replies/",
        staff.StaffTicketReply.as_view(),
        name="api_staff_ticket_replies",
    ),
    path(
        f"{v1}staff/tickets/<int:ticket_id>/assign/",
        staff.StaffTicketAssign.as_view(),
        name="api_staff_ticket_assign",
    ),
    path(
        f"{v1}staff/tickets/<int:ticket_id>/reclassify/",
        staff.StaffTicketReclassify.as_view(),
        name="api_staff_ticket_reclassify",
    ),
    path(
        f"{v1}staff/tickets/<int:ticket_id>/solve/",
        staff.StaffTicketSolve.as_view(),
        name="api_staff_ticket_solve",
    ),
    path(
        f"{v1}staff/callbacks/", staff_queue.StaffCallbackList.as_view(), name="api_staff_callbacks"
    ),
    path(
        f"{v1}staff/callbacks/<int:callback_id>/claim/",
        staff_queue.StaffCallbackClaim.as_view(),
        name="api_staff_callback_claim",
    ),
    path(
        f"{v1}staff/callbacks/<int:callback_id>/attempts/",
        staff_queue.StaffCallbackAttempt.as_view(),
        name="api_staff_callback_attempts",
    ),
    path(
        f"{v1}staff/callbacks/<int:callback_id>/complete/",
        staff_queue.StaffCallbackComplete.as_view(),
        name="api_staff_callback_complete",
    ),
    path(f"{v1}staff/chats/", staff_queue.StaffChatList.as_view(), name="api_staff_chats"),
    path(
        f"{v1}staff/chats/<int:chat_id>/",
        staff_queue.StaffChatDetail.as_view(),
        name="api_staff_chat",
    ),
    path(f"{v1}staff/reports/sla/", staff_queue.SlaReport.as_view(), name="api_staff_sla_report"),
    # The customer's token page (staff: the admin).
    path("account/api-tokens/", portal.token_list, name="api_tokens"),
    path("account/api-tokens/<int:token_id>/revoke/", portal.token_revoke, name="api_token_revoke"),
]
