"""The channel layer against a real redis-server of its own: delivery, and what sockets
see when Redis goes away and comes back (helpdesk.core.channel_layer)."""

import asyncio

import pytest
import redis

from helpdesk.core.channel_layer import (
    LayerConnectionLost,
    TolerantPubSubChannelLayer,
    forget_channel,
)
from tests.chat.servers import RedisServer


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


def make_layer(server: RedisServer) -> TolerantPubSubChannelLayer:
    return TolerantPubSubChannelLayer(hosts=[{"address": server.url, "socket_connect_timeout": 1}])


def test_a_group_event_reaches_every_member(redis_server):
    async def body():
        layer = make_layer(redis_server)
        one, two = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("room", one)
        await layer.group_add("room", two)
        await layer.group_send("room", {"type": "chat.message", "text": "hi"})
        heard = [await asyncio.wait_for(layer.receive(c), 5) for c in (one, two)]
        await layer.flush()
        return heard

    assert asyncio.run(body()) == [{"type": "chat.message", "text": "hi"}] * 2


def test_an_outage_is_reported_to_open_channels_and_new_ones_still_open(redis_server):
    """While Redis is away a new socket still gets a channel (the stock layer raised,
    so the handshake failed) but cannot join a group; once Redis is back, a channel that
    was open all along is told that events may have been lost, and everything is live."""

    async def body():
        nonlocal redis_server
        layer = make_layer(redis_server)
        before = await layer.new_channel()
        await layer.group_add("room", before)

        await asyncio.to_thread(redis_server.stop)
        # Not told while Redis is away: nothing can be done until it answers.
        pending = asyncio.ensure_future(layer.receive(before))
        during = await layer.new_channel()
        with pytest.raises(redis.ConnectionError):
            await layer.group_add("elsewhere", during)
        with pytest.raises(redis.ConnectionError):
            await layer.group_send("room", {"type": "chat.message", "text": "lost"})
        await asyncio.sleep(0.5)
        assert not pending.done()

        redis_server = await asyncio.to_thread(RedisServer(port=redis_server.port).start)
        with pytest.raises(LayerConnectionLost):
            await asyncio.wait_for(pending, 10)
        # The one opened meanwhile is told too: its own subscription was made late.
        with pytest.raises(LayerConnectionLost):
            await asyncio.wait_for(layer.receive(during), 1)
        await layer.group_add("elsewhere", during)
        await layer.group_add("room", during)
        await layer.group_send("room", {"type": "chat.message", "text": "live"})
        heard = [await asyncio.wait_for(layer.receive(c), 5) for c in (before, during)]
        await layer.flush()
        return heard

    heard = asyncio.run(body())
    assert heard == [{"type": "chat.message", "text": "live"}] * 2


def test_a_dropped_subscriber_connection_is_reported(redis_server):
    """Redis dropped the connection (restart, failover, CLIENT KILL): the stock layer
    re-subscribed silently, so a socket never learned that events went missing."""

    async def body():
        layer = make_layer(redis_server)
        channel = await layer.new_channel()
        await layer.group_add("room", channel)
        killed = await asyncio.to_thread(
            redis.Redis.from_url(redis_server.url).client_kill_filter, _type="pubsub"
        )
        assert killed == 1
        with pytest.raises(LayerConnectionLost):
            await asyncio.wait_for(layer.receive(channel), 10)
        await layer.group_send("room", {"type": "chat.message", "text": "after"})
        heard = await asyncio.wait_for(layer.receive(channel), 5)
        await layer.flush()
        return heard

    assert asyncio.run(body()) == {"type": "chat.message", "text": "after"}


def test_an_ended_consumer_leaves_no_queue_or_group_behind(redis_server):
    """A socket that ended while its receive was not running (asleep, retrying an
    outage) kept its queue and groups, and every later event piled up there."""

    async def body():
        layer = make_layer(redis_server)
        gone, staying = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("room", gone)
        await layer.group_add("room", staying)
        await layer.group_add("only-gone", gone)
        await forget_channel(layer, gone)
        local = layer._get_layer()
        state = (
            set(local.channels),
            {name: set(members) for name, members in local.groups.items()},
            set(local._shards[0]._subscribed_to),
        )
        await layer.group_send("room", {"type": "chat.message", "text": "still here"})
        heard = await asyncio.wait_for(layer.receive(staying), 5)
        await layer.flush()
        return state, heard, local

    (channels, groups, subscribed), heard, local = asyncio.run(body())
    room, only_gone = local._get_group_channel_name("room"), "only-gone"
    assert len(channels) == 1  # the staying one
    assert groups == {room: channels}
    assert local._get_group_channel_name(only_gone) not in subscribed
    assert heard == {"type": "chat.message", "text": "still here"}
