"""ASGI entry point: HTTP and WebSockets through Channels (Daphne)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

# Django must be set up before anything imports models (the routing does).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402
from helpdesk.core import sqlite_checkpoint  # noqa: E402
from helpdesk.core.metrics import CountSockets  # noqa: E402
from helpdesk.tickets.routing import websocket_urlpatterns as ticket_routes  # noqa: E402

sqlite_checkpoint.start()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": CountSockets(
            AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter([*websocket_urlpatterns, *ticket_routes]))
            )
        ),
    }
)
