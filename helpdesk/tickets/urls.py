from django.urls import path

from helpdesk.tickets import views

urlpatterns = [
    path("", views.ticket_list, name="ticket_list"),
    path("new/", views.ticket_new, name="ticket_new"),
    path("<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("<int:ticket_id>/reply/", views.ticket_reply, name="ticket_reply"),
    path(
        "attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("<int:ticket_id>/solve/", views.ticket_solve, name="ticket_solve"),
    path("<int:ticket_id>/reopen/", views.ticket_reopen, name="ticket_reopen"),
]
