"""WebSocket routes (helpdesk/asgi.py wraps them in the origin check and auth)."""

from django.urls import URLPattern, path

from chat.consumers import ConsoleConsumer, CustomerChatConsumer
from sla.consumers import StaffAlertsConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/chat/", CustomerChatConsumer.as_asgi()),
    path("ws/chat/console/", ConsoleConsumer.as_asgi()),
    path("ws/staff/alerts/", StaffAlertsConsumer.as_asgi()),
]
