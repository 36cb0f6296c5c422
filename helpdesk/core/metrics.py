"""Per-process metrics of the infrastructure: the open WebSockets of an ASGI process,
counted by a wrapper around the socket router (helpdesk/asgi.py)."""

from typing import Any

from prometheus_client import Gauge

# Each ASGI process exposes its own /metrics (scrape every process): the number is the
# process's, which is what a load balancer's spread and a process's limit are about.
OPEN_SOCKETS = Gauge(
    "premiumdesk_open_sockets",
    "WebSockets open in this process, by route.",
    ["route"],
    multiprocess_mode="livesum",
)

ROUTES = ("/ws/chat/console/", "/ws/chat/", "/ws/staff/alerts/")


def _route(path: str) -> str:
    return next((route for route in ROUTES if path.startswith(route)), "other")


class CountSockets:
    """ASGI middleware: one more open socket from its connect event to the end of its
    application call, however that ends."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        gauge = OPEN_SOCKETS.labels(route=_route(scope.get("path", "")))
        accepted = False

        async def counting_send(message: dict[str, Any]) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                gauge.inc()
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if accepted:
                gauge.dec()
