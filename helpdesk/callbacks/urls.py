from django.urls import path

from helpdesk.callbacks import views

# Mounted under tickets/callbacks/: the customer's callbacks are listed with their tickets.
urlpatterns = [
    path("new/", views.callback_new, name="callback_new"),
    path("<int:callback_id>/cancel/", views.callback_cancel, name="callback_cancel"),
    path("queue/", views.callback_queue_panel, name="callback_queue_panel"),
]
