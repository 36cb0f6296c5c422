"""The tickets' WebSocket routes (helpdesk/asgi.py adds them to the router)."""

from django.urls import URLPattern, path

from helpdesk.tickets.consumers import TicketViewersConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/staff/tickets/<int:ticket_id>/", TicketViewersConsumer.as_asgi()),
]
