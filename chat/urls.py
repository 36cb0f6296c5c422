from django.urls import path

from chat import views

urlpatterns = [
    path("console/", views.console, name="chat_console"),
    path("<int:conversation_id>/history/", views.history, name="chat_history"),
    path(
        "<int:conversation_id>/attachments/", views.attachment_upload, name="chat_attachment_upload"
    ),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="chat_attachment"),
]
