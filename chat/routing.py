"""WebSocket routes."""

from django.urls import path

from sla.consumers import StaffAlertsConsumer

websocket_urlpatterns = [
    path("ws/staff/alerts/", StaffAlertsConsumer.as_asgi()),
]
