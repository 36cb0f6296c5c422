"""WebSocket routes. The chat consumers are added by the live-chat work."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
