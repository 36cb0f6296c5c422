"""The tickets' WebSocket routes (helpdesk/asgi.py adds them to the router)."""

from django.urls import URLPattern, path

from helpdesk.tickets.consumers import TicketViewersConsumer

websocket_urlpatterns: list[URLPattern] = [
    # Channels' URLRouter takes ASGI apps where Django's stubs type `path` for views.
    path("ws/staff/tickets/<int:ticket_id>/", TicketViewersConsumer.as_asgi()),  # type: ignore[arg-type]
]
