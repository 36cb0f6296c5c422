"""celery-redbeat's scheduler, made to ride out a Redis failover.

Stock RedBeat exits when Redis goes away under it (the lock's renewal raises), and a
standby whose lock request failed at start exits at its first tick; with Redis Sentinel
promoting a replica in a few seconds, both schedulers of a pair could be gone before the
new master answers. This one keeps running: a tick that cannot reach Redis is retried a
second later; a lock found lost (another scheduler took over meanwhile) sends it back to
standing by, asking for the lock at every tick without blocking.
"""

import logging
from typing import Any

from redbeat.schedulers import LUA_EXTEND_TO_SCRIPT, RedBeatScheduler, get_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockNotOwnedError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0


class FailoverScheduler(RedBeatScheduler):
    def _try_acquire(self) -> bool:
        client = get_redis(self.app)
        lock = client.lock(self.lock_key, timeout=self.lock_timeout, sleep=self.max_interval)
        lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)
        if not lock.acquire(blocking=False):
            return False
        logger.warning("beat: acquired the lock; this scheduler now sends")
        self.lock = lock
        return True

    def tick(self, *args: Any, **kwargs: Any) -> float:
        try:
            if self.lock_key and self.lock is None and not self._try_acquire():
                return float(self.max_interval)  # standing by
            return float(super().tick(*args, **kwargs))
        except LockNotOwnedError:
            logger.warning("beat: the lock was taken over; standing by")
            self.lock = None
            return float(self.max_interval)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            logger.warning("beat: Redis unavailable (%s); retrying", exc.__class__.__name__)
            return RETRY_SECONDS
