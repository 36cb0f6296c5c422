"""The rehearsal: the whole production topology on loopback (tests/rehearsal/topology.py)
and the faults a team would meet, each drill printing its figure. Run by .ci/run (CI=true:
never skipped); skipped by `make test` on a machine without nginx, pgbouncer and
redis-sentinel. `pytest -m rehearsal -s` shows the figures."""

import asyncio
import json
import os
import shutil
import signal
import socket
import time
from contextlib import suppress

import pytest
import requests
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.rehearsal.figures import FIGURES
from tests.rehearsal.topology import SWEEP_INTERVAL, Topology, missing_tools, psql, wait_for

pytestmark = [pytest.mark.rehearsal, pytest.mark.timeout(420)]


def figure(drill: str, text: str) -> None:
    FIGURES.append(f"[rehearsal] {drill}: {text}")


@pytest.fixture(scope="module")
def topology(request):
    missing = missing_tools()
    if missing:
        reason = (
            f"the rehearsal needs {', '.join(missing)} (Debian packages nginx, pgbouncer, "
            "redis-sentinel; .ci/run installs them)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    started = time.monotonic()
    topo = Topology()
    try:
        topo.database()
        topo.pgbouncer()
        topo.redis()
        topo.portal()
        topo.nginx()
        wait_for(
            lambda: (
                topo.assert_running()
                and requests.get(topo.base + "/healthz", timeout=2).status_code == 200
            ),
            90,
            "gunicorn through nginx",
        )
        for i in (1, 2):
            port = topo.ports[f"ws{i}"]
            wait_for(
                lambda port=port: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok,
                90,
                f"ASGI process {i}",
            )
        wait_for(lambda: topo.last_sweep(), 90, "a first sweep")
        figure("start", f"whole topology up in {time.monotonic() - started:.1f} s ({topo.dir})")
        yield topo
    except BaseException:
        print(topo.logs())
        raise
    finally:
        topo.stop()
        # The processes' logs stay for a failed run (the path is in the figures).
        if request.session.testsfailed == 0:
            shutil.rmtree(topo.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def people(topology):
    return topology.seed("people")


def cookie_headers(cookie: str, topo: Topology) -> dict:
    return {"Cookie": f"sessionid={cookie}", "Origin": topo.base}


class ChatSide:
    """A chat socket through nginx that, like the browser's client, reconnects when it
    is dropped, resumes from the last sequence number it saw and re-sends what was not
    acknowledged."""

    def __init__(self, topo: Topology, path: str, cookie: str) -> None:
        self.url = topo.base.replace("http", "ws") + path
        self.topo = topo
        self.cookie = cookie
        self.ws = None
        self.seen: dict[str, int] = {}  # client_id -> seq, of every message heard
        self.unacked: dict[str, dict] = {}
        self.conversation: int | None = None
        self.reconnects = 0

    async def connect(self) -> None:
        self.ws = await ws_connect(
            self.url,
            origin=self.topo.base,
            additional_headers={"Cookie": f"sessionid={self.cookie}"},
            open_timeout=5,
        )

    def _absorb(self, frame: dict) -> None:
        messages = []
        if frame["type"] == "message":
            messages = [frame["message"]]
        elif frame["type"] in ("history",):
            messages = frame.get("messages", [])
            if frame.get("conversation"):
                self.conversation = frame["conversation"]["id"]
        elif frame["type"] == "page":  # a page the client asked for ("history")
            messages = frame.get("messages", [])
        elif frame["type"] in ("conversation", "catch_up"):
            messages = frame["conversation"].get("messages", [])
        elif frame["type"] == "state":
            messages = [m for c in frame.get("held", []) for m in c.get("messages", [])]
        elif frame["type"] == "ack":
            self.unacked.pop(frame["client_id"], None)
            self.seen[frame["client_id"]] = frame["seq"]
        for message in messages:
            self.seen[message["client_id"] or f"seq{message['seq']}"] = message["seq"]

    async def recv(self, timeout: float = 10) -> dict:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self._absorb(frame)
        return frame

    async def recv_type(self, kind: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            frame = await self.recv(max(0.1, deadline - time.monotonic()))
            if frame["type"] == kind:
                return frame

    async def send(self, frame: dict) -> None:
        if frame.get("type") == "message":
            self.unacked[frame["client_id"]] = frame
        await self.ws.send(json.dumps(frame))

    def last_seq(self) -> int:
        return max(self.seen.values(), default=0)

    async def reconnect(self, resume: dict) -> float:
        """Reconnect (with the client's backoff, short) until resumed; the seconds taken."""
        started = time.monotonic()
        with suppress(Exception):
            await self.ws.close()
        delay = 0.1
        while True:
            try:
                await self.connect()
                await self.send(resume)
                break
            except (OSError, InvalidStatus, ConnectionClosed, TimeoutError):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
        self.reconnects += 1
        for frame in list(self.unacked.values()):
            await self.send(frame)
        return time.monotonic() - started

    async def until(self, predicate, timeout: float, resume=None, poke=None) -> float:
        """Read frames until predicate() holds; reconnect and resume when dropped; send
        poke() after each quiet second (a catch-up request, as the console does after a
        pong that shows a gap)."""
        started = time.monotonic()
        while not predicate():
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{self.url}: condition not met within {timeout} s")
            try:
                await self.recv(timeout=1)
            except TimeoutError:
                if poke is not None:
                    with suppress(ConnectionClosed):
                        await self.send(poke())
                continue
            except ConnectionClosed:
                if resume is None:
                    raise
                await self.reconnect(resume() if callable(resume) else resume)
        return time.monotonic() - started


def open_sockets(topo: Topology, process: str) -> dict[str, float]:
    """The ASGI process's own /metrics (direct, loopback): its open sockets by route."""
    body = requests.get(f"http://127.0.0.1:{topo.ports[process]}/metrics", timeout=5).text
    counts = {}
    for line in body.splitlines():
        if line.startswith("premiumdesk_open_sockets{"):
            route = line.split('route="')[1].split('"')[0]
            counts[route] = float(line.split()[-1])
    return counts


def stored_client_ids(conversation_id: int) -> list[str]:
    out = psql(
        f"SELECT client_id FROM chat_message WHERE conversation_id = {conversation_id} ORDER BY seq"
    )
    return out.splitlines()


# ----------------------------------------------------------------------------------------


def test_the_proxy_handles_forged_addresses_stray_upgrades_big_bodies_and_slow_clients(
    topology,
):
    topo = topology
    # A forged X-Forwarded-For: nginx sets the header from the connection, so with
    # TRUSTED_PROXIES=1 the login throttle records the real address, not the forged one.
    session = requests.Session()
    session.get(topo.base + "/login/", timeout=5)
    response = session.post(
        topo.base + "/login/",
        data={
            "username": "nobody@example.com",
            "password": "wrong",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"X-Forwarded-For": "203.0.113.66", "Referer": topo.base + "/login/"},
        timeout=5,
    )
    assert response.status_code == 200
    addresses = psql("SELECT DISTINCT ip_address FROM axes_accessfailurelog").splitlines()
    assert addresses == ["127.0.0.1"], addresses

    # A WebSocket upgrade on a path outside /ws/ is never upgraded.
    async def stray_upgrade() -> None:
        async with ws_connect(topo.base.replace("http", "ws") + "/login/", open_timeout=5):
            pass

    with pytest.raises(InvalidStatus):
        asyncio.run(stray_upgrade())
    # A body over Django's limit stops at the proxy.
    big = requests.post(topo.base + "/login/", data=b"x" * 3_000_000, timeout=10)
    assert big.status_code == 413
    # Slow clients (headers never finished) wait in nginx, not in gunicorn's 2 workers.
    slow = [socket.create_connection(("127.0.0.1", topo.ports["nginx"])) for _ in range(8)]
    try:
        for s in slow:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        assert requests.get(topo.base + "/healthz", timeout=5).status_code == 200
        took = time.monotonic() - started
    finally:
        for s in slow:
            s.close()
    figure(
        "proxy",
        f"forged X-Forwarded-For recorded as {addresses[0]}; upgrade on /login/ refused; "
        f"3 MB body 413; /healthz {took * 1000:.0f} ms with 8 slow clients holding nginx",
    )


def test_a_chat_across_two_asgi_processes_survives_losing_one(topology, people):
    topo = topology

    async def drill():
        console = ChatSide(topo, "/ws/chat/console/", people["specialist"])
        await console.connect()
        await console.recv_type("state")
        customer = ChatSide(topo, "/ws/chat/", people["customer"])
        await customer.connect()
        await customer.send({"type": "resume", "after_seq": 0})
        await customer.recv_type("history")
        # nginx's least_conn put the two sockets on different processes: each process's
        # own metrics say which.
        where = {p: open_sockets(topo, p) for p in ("ws1", "ws2")}
        customer_on = next(p for p, c in where.items() if c.get("/ws/chat/", 0) >= 1)
        console_on = next(p for p, c in where.items() if c.get("/ws/chat/console/", 0) >= 1)
        assert customer_on != console_on, where
        await customer.send({"type": "start", "topic": "VPN", "body": "c0", "client_id": "c0"})
        await customer.recv_type("history")
        conversation = customer.conversation
        await console.send({"type": "accept", "conversation": conversation})
        await console.recv_type("conversation")
        for i in range(1, 4):
            await customer.send({"type": "message", "body": f"c{i}", "client_id": f"c{i}"})
            await console.until(lambda i=i: f"c{i}" in console.seen, 10)
            await console.send(
                {
                    "type": "message",
                    "conversation": conversation,
                    "body": f"s{i}",
                    "client_id": f"s{i}",
                }
            )
            await customer.until(lambda i=i: f"s{i}" in customer.seen, 10)
        # The customer's process dies with a message in flight.
        await customer.send({"type": "message", "body": "c4", "client_id": "c4"})
        killed = time.monotonic()
        topo.named[customer_on].kill(signal.SIGKILL)
        # The specialist (on the other process) writes on meanwhile.
        for i in (4, 5):
            await console.send(
                {
                    "type": "message",
                    "conversation": conversation,
                    "body": f"s{i}",
                    "client_id": f"s{i}",
                }
            )
        resume = lambda: {"type": "resume", "after_seq": customer.last_seq()}  # noqa: E731
        took = await customer.until(
            lambda: {"s4", "s5"} <= set(customer.seen) and not customer.unacked, 30, resume
        )
        await customer.send({"type": "message", "body": "c5", "client_id": "c5"})
        # c4 may have been stored by the dying process after its broadcast was lost
        # with it: the console then learns of it as the browser's does, by asking for
        # the page after what it saw (its pong shows the gap).
        catch_up = lambda: {  # noqa: E731
            "type": "history",
            "conversation": conversation,
            "after_seq": 0,
        }
        await console.until(lambda: {"c4", "c5"} <= set(console.seen), 30, poke=catch_up)
        await customer.ws.close()
        await console.ws.close()
        return conversation, time.monotonic() - killed, took, customer.reconnects

    conversation, resumed_after, _, reconnects = asyncio.run(drill())
    stored = stored_client_ids(conversation)
    expected = ["c0", "c1", "s1", "c2", "s2", "c3", "s3"]
    assert stored[:7] == expected
    assert sorted(stored) == sorted(expected + ["c4", "s4", "s5", "c5"]), stored
    figure(
        "ASGI process killed",
        f"customer resumed on the other process {resumed_after:.2f} s after the kill "
        f"({reconnects} reconnect); {len(stored)} messages stored once each, 0 lost",
    )
    killed = next(p for p in ("ws1", "ws2") if not topo.named[p].alive())
    topo.restart(killed)
    port = topo.ports[killed]
    wait_for(lambda: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok, 60, killed)


def _breach_counts(people: dict, first: int, last: int) -> tuple[int, int, int]:
    """(items breached, items with more than one breach event, items notified twice)."""
    breached = int(
        psql(
            f"SELECT count(DISTINCT ticket_id) FROM helpdesk_ticketevent WHERE kind = "
            f"'{people['breached_kind']}' AND ticket_id BETWEEN {first} AND {last}"
        )
    )
    twice = int(
        psql(
            "SELECT count(*) FROM (SELECT ticket_id FROM helpdesk_ticketevent WHERE kind = "
            f"'{people['breached_kind']}' AND ticket_id BETWEEN {first} AND {last} "
            "GROUP BY ticket_id HAVING count(*) > 1) t"
        )
    )
    notified_twice = int(
        psql(
            "SELECT count(*) FROM (SELECT (item->>0)::int AS id FROM outbox_outboxmessage, "
            "jsonb_array_elements(payload->'items') AS item "
            f"WHERE kind = '{people['escalation_kind']}' AND (item->>2)::int = 1 "
            f"AND (item->>0)::int BETWEEN {first} AND {last} GROUP BY 1 HAVING count(*) > 1) t"
        )
    )
    return breached, twice, notified_twice


def test_the_standby_scheduler_takes_over_within_three_intervals(topology, people):
    topo = topology
    active = topo.lock_holder()
    tickets = topo.seed("tickets", "30", str(SWEEP_INTERVAL))  # breach after the kill
    wait_for(lambda: topo.last_sweep(), 10, "a sweep")
    before = topo.last_sweep()
    killed_at = time.time()
    topo.named[active].kill(signal.SIGKILL)
    after = wait_for(
        lambda: (s := topo.last_sweep()) is not None and s > killed_at and s,
        6 * SWEEP_INTERVAL,
        "a sweep from the standby",
    )
    gap = after - before
    bound = 3 * SWEEP_INTERVAL
    wait_for(
        lambda: _breach_counts(people, tickets["first"], tickets["last"])[0] == tickets["count"],
        30,
        "every ticket breached",
    )
    breached, twice, notified_twice = _breach_counts(people, tickets["first"], tickets["last"])
    assert gap <= bound, f"{gap:.1f} s between sweeps, bound {bound} s"
    assert (twice, notified_twice) == (0, 0)
    standby = "scheduler2" if active == "scheduler1" else "scheduler1"
    assert "beat: Acquired lock" in topo.named[standby].log.read_text()
    figure(
        "active scheduler killed",
        f"standby swept {after - killed_at:.1f} s after the kill; {gap:.1f} s between sweeps "
        f"(bound 3 x {SWEEP_INTERVAL} s = {bound} s); {breached} breaches, each notified once",
    )
    topo.restart(active)  # back as the standby


def test_a_worker_killed_mid_sweep_skips_and_repeats_nothing(topology, people):
    topo = topology
    tickets = topo.seed("tickets", "3000", "-60")
    first, last, count = tickets["first"], tickets["last"], tickets["count"]

    def escalated() -> int:
        return int(
            psql(
                f"SELECT count(*) FROM helpdesk_ticket WHERE id BETWEEN {first} AND {last} "
                "AND escalation_level >= 1"
            )
        )

    victim = wait_for(
        lambda: 0 < escalated() < count and topo.sweeping_worker(),
        60,
        "a sweep under way",
        every=0.05,
    )
    at_kill = escalated()
    topo.named[victim].kill(signal.SIGKILL)
    started = time.monotonic()
    wait_for(lambda: escalated() == count, 60, "the rest of the sweep by the other worker")
    took = time.monotonic() - started
    breached, twice, notified_twice = _breach_counts(people, first, last)
    assert (breached, twice, notified_twice) == (count, 0, 0)
    figure(
        "worker killed mid-sweep",
        f"{victim} killed with {at_kill} of {count} escalated; the rest done {took:.1f} s "
        f"later; {breached} breached, 0 skipped, 0 recorded or notified twice",
    )
    topo.restart(victim)


def test_a_redis_failover_by_sentinel_resumes_chat_and_sweeps(topology, people):
    topo = topology

    async def drill():
        console = ChatSide(topo, "/ws/chat/console/", people["specialist"])
        await console.connect()
        await console.recv_type("state")
        customer = ChatSide(topo, "/ws/chat/", people["customer"])
        await customer.connect()
        await customer.send({"type": "resume", "after_seq": 0})
        await customer.recv_type("history")
        conversation = customer.conversation
        await customer.send({"type": "message", "body": "r0", "client_id": "r0"})
        await console.until(lambda: "r0" in console.seen, 10)
        primary = topo.named["redis1"]
        killed = time.monotonic()
        killed_wall = time.time()
        primary.kill(signal.SIGKILL)
        promoted = wait_for(
            lambda: topo.master_port() == topo.ports["redis2"], 30, "Sentinel's failover"
        )
        failed_over = time.monotonic() - killed
        # Chat during and after: every message reaches the specialist, live or resumed.
        sent = []
        for i in range(1, 6):
            client_id = f"r{i}"
            sent.append(client_id)
            with suppress(ConnectionClosed):
                await customer.send({"type": "message", "body": client_id, "client_id": client_id})
            await asyncio.sleep(0.3)
        resume_customer = lambda: {"type": "resume", "after_seq": customer.last_seq()}  # noqa: E731
        await customer.until(lambda: not customer.unacked, 30, resume_customer)
        catch_up = lambda: {"type": "history", "conversation": conversation, "after_seq": 0}  # noqa: E731
        await console.until(lambda: set(sent) <= set(console.seen), 30, catch_up, catch_up)
        chat_back = time.monotonic() - killed
        await customer.ws.close()
        await console.ws.close()
        return conversation, promoted, failed_over, chat_back, killed_wall

    conversation, promoted, failed_over, chat_back, killed_wall = asyncio.run(drill())
    swept = wait_for(
        lambda: (s := topo.last_sweep()) is not None and s > killed_wall + 1 and s,
        60,
        "a sweep after the failover",
    )
    stored = stored_client_ids(conversation)
    ids = [x for x in stored if x.startswith("r")]
    assert sorted(ids) == sorted(set(ids)) and {f"r{i}" for i in range(6)} <= set(ids)
    figure(
        "Redis failover",
        f"Sentinel promoted the replica in {failed_over:.1f} s; chat delivered again "
        f"{chat_back:.1f} s after the kill, {len(ids)} messages stored once each; "
        f"sweeps resumed {swept - killed_wall:.1f} s after the kill",
    )


def test_requests_recover_after_pgbouncer_restarts(topology, people):
    topo = topology
    cookies = {"sessionid": people["customer"]}
    url = topo.base + "/tickets/"
    assert requests.get(url, cookies=cookies, timeout=5).status_code == 200
    results: list[tuple[float, bool]] = []

    def probe() -> bool:
        try:
            ok = requests.get(url, cookies=cookies, timeout=3).status_code == 200
        except requests.RequestException:
            ok = False
        results.append((time.monotonic(), ok))
        return ok

    stopped = time.monotonic()
    topo.named["pgbouncer"].stop()
    for _ in range(5):
        probe()
        time.sleep(0.1)
    topo.pgbouncer()
    back = time.monotonic()
    wait_for(lambda: all(probe() for _ in range(5)), 30, "requests through the new PgBouncer")
    first_ok = next(t for t, ok in results if ok and t >= back)
    failed = sum(1 for _, ok in results if not ok)
    assert all(ok for _, ok in results[-5:])
    figure(
        "PgBouncer restarted",
        f"down {back - stopped:.1f} s; {failed} of {len(results)} requests failed meanwhile; "
        f"requests answered again {first_ok - back:.2f} s after it was back",
    )
