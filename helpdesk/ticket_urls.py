from django.urls import path

from helpdesk import views

urlpatterns = [
    path("", views.ticket_list, name="ticket_list"),
    path("new/", views.ticket_new, name="ticket_new"),
    path("<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("<int:ticket_id>/reply/", views.ticket_reply, name="ticket_reply"),
    path("callbacks/new/", views.callback_new, name="callback_new"),
    path("callbacks/<int:callback_id>/cancel/", views.callback_cancel, name="callback_cancel"),
    path("callbacks/queue/", views.callback_queue_panel, name="callback_queue_panel"),
]
