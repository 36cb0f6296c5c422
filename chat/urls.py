from django.urls import path

from chat import views

urlpatterns = [
    path("console/", views.console, name="chat_console"),
    path("<int:conversation_id>/history/", views.history, name="chat_history"),
]
