"""WebSocket consumers: connection life-cycle and JSON in and out. The customer's chat
(`customer.py`) and the specialists' console (`console.py`) share one socket
(`base.py`: frames, flood limit, rights, layer outages) and its message writer
(`writer.py`); error texts and close codes are in `frames.py`."""

from chat.consumers.base import ChatSocket
from chat.consumers.console import ConsoleConsumer
from chat.consumers.customer import CustomerChatConsumer
from chat.consumers.frames import (
    ACCESS_LOST,
    CLOSE_FORBIDDEN,
    CLOSE_RESUME,
    CLOSE_SIGNED_OUT,
    FRAME_MAX,
    MALFORMED,
    NO_OPEN_CHAT,
    RATE_LIMITED,
    SERVICE_UNAVAILABLE,
    SESSION_ENDED,
    TEXT_ONLY,
    UNKNOWN_TYPE,
    rate_limiter,
)

__all__ = [
    "ACCESS_LOST",
    "CLOSE_FORBIDDEN",
    "CLOSE_RESUME",
    "CLOSE_SIGNED_OUT",
    "FRAME_MAX",
    "MALFORMED",
    "NO_OPEN_CHAT",
    "RATE_LIMITED",
    "SERVICE_UNAVAILABLE",
    "SESSION_ENDED",
    "TEXT_ONLY",
    "UNKNOWN_TYPE",
    "ChatSocket",
    "ConsoleConsumer",
    "CustomerChatConsumer",
    "rate_limiter",
]
