"""What every socket that follows its user's rights shares."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from django.conf import settings

logger = logging.getLogger(__name__)


async def recheck_periodically(
    recheck: Callable[[], Awaitable[bool]], *, closed: Callable[[], bool]
) -> None:
    """Call `recheck` every CHAT_ACCESS_RECHECK_SECONDS until it says no (it closes the
    socket itself) or the socket is `closed`: a rights change that sent no signal (a bulk
    update, a row changed in SQL) still closes the socket in time, whether or not
    anything is said on it. A database outage keeps the socket; the next round retries."""
    while not closed():
        await asyncio.sleep(max(settings.CHAT_ACCESS_RECHECK_SECONDS, 1))
        try:
            if not await recheck():
                return
        except Exception:
            logger.warning("socket access re-check failed", exc_info=True)
