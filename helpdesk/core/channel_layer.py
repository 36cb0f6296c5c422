"""The channel layer: channels-redis's pub/sub layer, made to ride out a Redis outage.

Why pub/sub: bench/chat_roundtrip.py measured it. A group_send is one PUBLISH that
Redis pushes to each subscribed process, where channels-redis's RedisChannelLayer makes
several round trips per send plus a blocking pop per receiver; with every message
stored, only the pub/sub layer kept our round trip at or under the Channels tutorial's.

What the stock pub/sub layer lacks, and this adds:

* A socket opened while Redis is away: `new_channel` no longer raises (the handshake
  failed with HTTP 500); the subscription is made once Redis answers. `group_add` still
  raises while Redis is away, so the consumer knows it is not yet live.
* A socket that was open while Redis was away: the stock layer re-subscribes silently
  and the socket never learns that events published meanwhile went nowhere. Here every
  local channel's `receive` raises ConnectionError once the subscriber connection has
  been re-established, which is what a receive on RedisChannelLayer does in an outage;
  the chat consumers answer it by re-joining their groups and telling the client to
  resume from its last sequence number (chat.consumers).
* The receive loop logs an outage once, not a stack trace every second.
"""

import asyncio
import logging
import uuid
from typing import Any, Protocol

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close, create_pool
from redis import asyncio as aioredis
from redis.asyncio.client import PubSub

logger = logging.getLogger(__name__)

# What a local channel's queue holds to say "the subscriber connection was lost".
LOST = "layer.connection_lost"
RETRY_FIRST_SECONDS = 0.1
RETRY_MAX_SECONDS = 1.0
UNSUBSCRIBE_SECONDS = 1.0


class LayerConnectionLost(ConnectionError):
    """Events sent to this channel while Redis was away may not have arrived."""


class _PubSub(PubSub):
    """redis-py's PubSub, which re-subscribes after a reconnect without a word; this one
    also calls `reconnected` (it is only ever called on a re-connect: the callback is
    registered after the first connection is made)."""

    def __init__(self, *args: Any, reconnected: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reconnected = reconnected

    async def on_connect(self, connection: Any) -> None:
        await super().on_connect(connection)
        self._reconnected()


class _Shard(RedisSingleShardConnection):
    # Set by channels-redis (untyped) and by _ensure_redis.
    _redis: aioredis.Redis | None
    _pubsub: PubSub | None

    def __init__(self, host: dict[str, Any], channel_layer: "TolerantLoopLayer") -> None:
        super().__init__(host, channel_layer)
        # Everything this process should be subscribed to, made or not yet made.
        self._wanted: set[str] = set()
        self._missing = False  # some of _wanted may not be subscribed yet
        self._away = False

    def _ensure_redis(self) -> None:
        if self._redis is None:
            self._redis = aioredis.Redis(connection_pool=create_pool(self.host))
            self._pubsub = _PubSub(self._redis.connection_pool, reconnected=self._reconnected)

    def _reconnected(self) -> None:
        if self._away:
            logger.warning("channel layer: Redis answers again")
            self._away = False
        self.channel_layer.connection_lost()

    async def subscribe(self, channel: str) -> None:
        self._wanted.add(channel)
        try:
            await super().subscribe(channel)
        except BaseException:
            self._missing = True  # the receive loop makes it once Redis answers
            raise

    async def unsubscribe(self, channel: str) -> None:
        self._wanted.discard(channel)
        await super().unsubscribe(channel)

    async def flush(self) -> None:
        self._wanted = set()
        await super().flush()

    async def _subscribe_wanted(self) -> None:
        """Make the subscriptions that failed while Redis was away."""
        async with self._lock:
            missing = self._wanted - self._subscribed_to
            if missing:
                self._ensure_redis()
                assert self._pubsub is not None  # made by _ensure_redis with the client
                await self._pubsub.subscribe(*missing)
                self._subscribed_to |= missing
            self._missing = False

    async def _do_receiving(self) -> None:
        delay = RETRY_FIRST_SECONDS
        while True:
            try:
                if self._missing:
                    await self._subscribe_wanted()
                if self._pubsub is not None and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=0.1
                    )
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
                delay = RETRY_FIRST_SECONDS
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except Exception:
                if not self._away:
                    logger.warning("channel layer: Redis is unavailable", exc_info=True)
                    self._away = True
                await asyncio.sleep(delay)
                delay = min(2 * delay, RETRY_MAX_SECONDS)


class TolerantLoopLayer(RedisPubSubLoopLayer):
    _shards: list[_Shard]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shards = [_Shard(shard.host, self) for shard in self._shards]

    async def new_channel(self, prefix: str = "specific.") -> str:
        channel = f"{self.prefix}{prefix}{uuid.uuid4().hex}"
        self.channels[channel] = asyncio.Queue()
        try:
            await self._get_shard(channel).subscribe(channel)
        except Exception:
            logger.warning("channel layer: %s not subscribed yet (Redis away)", channel)
        return channel

    async def forget_channel(self, channel: str) -> None:
        """A consumer ended: drop its channel and the local groups it leaves empty, even
        when it never reached the layer's receive (which cleans up only when cancelled
        inside it): otherwise every later group event queued up there for good."""
        self.channels.pop(channel, None)
        emptied = []
        for group_channel, members in list(self.groups.items()):
            members.discard(channel)
            if not members:
                del self.groups[group_channel]
                emptied.append(group_channel)
        for name in (channel, *emptied):
            try:
                async with asyncio.timeout(UNSUBSCRIBE_SECONDS):
                    await self._get_shard(name).unsubscribe(name)
            except Exception:
                logger.info("channel layer: %s not unsubscribed", name)

    def connection_lost(self) -> None:
        """Tell every local channel that events may have been missed."""
        lost = self.channel_layer.serialize({"type": LOST})
        for queue in self.channels.values():
            queue.put_nowait(lost)

    async def receive(self, channel: str) -> dict[str, Any]:
        message = await super().receive(channel)
        if message.get("type") == LOST:
            raise LayerConnectionLost("the channel layer lost its connection to Redis")
        return message


class TolerantPubSubChannelLayer(RedisPubSubChannelLayer):
    """RedisPubSubChannelLayer with TolerantLoopLayer per event loop."""

    def _get_layer(self) -> TolerantLoopLayer:
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = TolerantLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
            return layer


async def forget_channel(layer: Any, channel: str) -> None:
    """Call on a consumer's exit: TolerantPubSubChannelLayer drops the channel's local
    queue and groups; other layers need nothing."""
    forget = getattr(layer, "forget_channel", None) if layer is not None else None
    if forget is not None and channel:
        await forget(channel)


class LayerEventHook:
    """Channels sets `channel_receive` to the layer's receive for the consumer's channel;
    with this mixin the dispatch loop reads group events through `next_layer_event()`
    instead, which a consumer overrides to decide what a failed receive means."""

    @property
    def channel_receive(self) -> Any:
        return self.next_layer_event

    @channel_receive.setter
    def channel_receive(self, layer_receive: Any) -> None:
        self._layer_receive = layer_receive

    async def next_layer_event(self) -> dict[str, Any]:
        return await self._layer_receive()


class _Closes(Protocol):
    close_code: int

    async def close(self, code: int) -> None: ...


class EndsOnLayerLoss(LayerEventHook):
    """For a consumer that only relays group events (the SLA alerts): a failed receive on
    the channel layer (Redis away, or LayerConnectionLost once it is back) closes the
    socket with code 4503 instead of ending the consumer with an application error; the
    client reconnects. The chat consumers do more (they ride out the outage)."""

    close_code = 4503

    async def next_layer_event(self) -> dict[str, Any]:
        try:
            return await self._layer_receive()
        except Exception:
            logger.info("channel layer receive failed; closing the socket", exc_info=True)
            return {"type": "layer.lost"}

    async def layer_lost(self: _Closes, event: dict[str, Any]) -> None:
        # A mixin: `close` is the consumer's.
        await self.close(code=self.close_code)
