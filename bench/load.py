"""Load and capacity on the rehearsal topology (tests/rehearsal/topology.py: nginx, gunicorn,
two uvicorn processes, workers per queue, two schedulers, PgBouncer in transaction mode,
Redis under Sentinel), with Locust as a library. Not a test: it prints figures.

    .venv/bin/python bench/load.py [--customers 40] [--specialists 4] [--minutes 10]
    .venv/bin/python bench/load.py --capacity [--sockets 5000]

Load: customers ask the help dialog (suggestions), submit tickets and chat; specialists
answer their chats in the console and read the inbox (the admin ticket list). Prints
per-endpoint p50/p99, the chat round trip (customer's send to the specialist's screen),
errors, tickets and messages lost (acknowledged but not stored: must be 0), and each
process's memory at the start and the end, next to the trivial view (/healthz).

Capacity: idle customer chat sockets held by one uvicorn process, each pinging every
25 s like the browser's client: memory per socket and CPU at rest.
"""

import gevent.monkey  # isort: skip

gevent.monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.rehearsal.topology import Topology, psql, wait_for  # noqa: E402

LIFTED = {
    "TICKET_RATE_LIMIT_PER_HOUR": "1000000",
    "CHAT_START_RATE_LIMIT_PER_HOUR": "1000000",
    "SUGGESTION_RATE_LIMIT_PER_MINUTE": "1000000",
    "CHAT_RATE_LIMIT_FRAMES": "1000000",
    "LOG_LEVEL": "WARNING",
}


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0


def rss_mb(pid: int) -> float:
    """Resident memory of a process and everything in its process group (pool children)."""
    out = subprocess.run(["ps", "-o", "rss=", "-g", str(pid)], capture_output=True, text=True)
    return sum(int(x) for x in out.stdout.split()) / 1024


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(topo: Topology, full: bool = True) -> None:
    topo.env.update(LIFTED)
    topo.database()
    topo.pgbouncer()
    topo.redis()
    if full:
        topo.portal()
        topo.nginx()
    else:
        topo.spawn_procfile("ws", "ws1", PORT=str(topo.ports["ws1"]))
    import requests

    port = topo.ports["nginx" if full else "ws1"]
    wait_for(
        lambda: (
            topo.assert_running() and requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok
        ),
        120,
        "the portal",
    )


# -- load --------------------------------------------------------------------------------


def run_load(args: argparse.Namespace) -> None:
    from locust import HttpUser, between, events, task
    from locust.env import Environment
    from websockets.sync.client import connect

    topo = Topology()
    results: dict = {
        "acked": set(),
        "tickets": set(),
        "latency": [],
        "to_store": [],
        "store_to_socket": [],
        "loop_lag": [],
        "ws_errors": 0,
    }
    try:
        start(topo)
        seeded = topo.seed("load", str(args.customers), str(args.specialists), "200")
        base = topo.base
        ws_base = base.replace("http", "ws")
        customers = list(seeded["customers"])
        specialists = list(seeded["specialists"])
        words = seeded["words"]
        memory_start = {p.name: rss_mb(p.pid) for p in topo.processes}

        def socket(path: str, cookie: str):
            return connect(
                ws_base + path,
                origin=base,
                additional_headers={"Cookie": f"sessionid={cookie}"},
                open_timeout=10,
            )

        class Customer(HttpUser):
            host = base
            wait_time = between(1, 3)

            def on_start(self) -> None:
                self.cookie = customers.pop()
                self.client.cookies.set("sessionid", self.cookie)
                self.client.get("/tickets/new/", name="ticket form")
                self.chat = None
                self.conversation_open = False

            @task(6)
            def suggestions(self) -> None:
                q = " ".join(random.sample(words, 2))
                self.client.get(f"/help/suggestions/?q={q}", name="help dialog suggestions")

            @task(1)
            def ticket(self) -> None:
                response = self.client.post(
                    "/tickets/new/",
                    data={
                        "subject": "Export fails",
                        "description": "The export stops half way.",
                        "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                    },
                    headers={"Accept": "application/json", "Referer": base + "/tickets/new/"},
                    name="ticket submit",
                )
                if response.ok:
                    results["tickets"].add(response.json()["ticket"])

            @task(3)
            def chat_message(self) -> None:
                started = time.perf_counter()
                try:
                    if self.chat is None:
                        self.chat = socket("/ws/chat/", self.cookie)
                        self.chat.send(json.dumps({"type": "resume", "after_seq": 0}))
                    client_id = uuid.uuid4().hex[:16]
                    body = f"t={time.time():.6f}"
                    kind = "message" if self.conversation_open else "start"
                    frame = {"type": kind, "body": body, "client_id": client_id}
                    if kind == "start":
                        frame["topic"] = "Load"
                    self.chat.send(json.dumps(frame))
                    while True:
                        reply = json.loads(self.chat.recv(timeout=10))
                        if reply["type"] == "ack" and reply["client_id"] == client_id:
                            results["acked"].add(client_id)
                            self.conversation_open = True
                            break
                        if reply["type"] == "error":
                            raise RuntimeError(reply.get("message"))
                        if reply["type"] == "ended":
                            self.conversation_open = False
                    events.request.fire(
                        request_type="WS",
                        name="chat message (stored, acknowledged)",
                        response_time=(time.perf_counter() - started) * 1000,
                        response_length=0,
                        exception=None,
                    )
                except Exception as exc:
                    results["ws_errors"] += 1
                    events.request.fire(
                        request_type="WS",
                        name="chat message (stored, acknowledged)",
                        response_time=(time.perf_counter() - started) * 1000,
                        response_length=0,
                        exception=exc,
                    )
                    self.chat = None

        class Specialist(HttpUser):
            host = base
            wait_time = between(2, 5)

            def on_start(self) -> None:
                self.cookie = specialists.pop()
                self.client.cookies.set("sessionid", self.cookie)
                self.console = socket("/ws/chat/console/", self.cookie)
                self.reader = gevent.spawn(self.read)

            def read(self) -> None:
                while True:
                    try:
                        frame = json.loads(self.console.recv())
                    except Exception:
                        return
                    if frame["type"] in ("state", "queue"):
                        queue = frame.get("queue") or []
                        for waiting in queue[:2]:
                            self.console.send(
                                json.dumps({"type": "accept", "conversation": waiting["id"]})
                            )
                    elif frame["type"] == "message":
                        message = frame["message"]
                        body = message.get("body", "")
                        from_customer = message.get("sender_role") == "customer"
                        if from_customer and body.startswith("t="):
                            now, sent = time.time(), float(body[2:])
                            results["latency"].append((now - sent) * 1000)
                            # Where the time went: the server's stored time splits the
                            # trip (one machine, one clock).
                            stored = datetime.fromisoformat(message["created_at"]).timestamp()
                            results["to_store"].append((stored - sent) * 1000)
                            results["store_to_socket"].append((now - stored) * 1000)

            @task
            def inbox(self) -> None:
                self.client.get("/admin/tickets/ticket/", name="inbox (admin ticket list)")

        class Trivial(HttpUser):
            host = base
            wait_time = between(1, 2)

            @task
            def healthz(self) -> None:
                self.client.get("/healthz", name="trivial view (/healthz)")

        Customer.fixed_count = args.customers
        Specialist.fixed_count = args.specialists
        Trivial.fixed_count = 1
        env = Environment(user_classes=[Customer, Specialist, Trivial], events=events)
        runner = env.create_local_runner()
        runner.start(args.customers + args.specialists + 1, spawn_rate=20)

        def loop_lag() -> None:
            # How late the load generator's own event loop wakes a greenlet: every
            # latency it measures includes this.
            while True:
                before = time.perf_counter()
                gevent.sleep(0.1)
                results["loop_lag"].append((time.perf_counter() - before - 0.1) * 1000)

        lag_sampler = gevent.spawn(loop_lag)
        began = time.time()
        gevent.sleep(args.minutes * 60)
        runner.quit()
        lag_sampler.kill()
        elapsed = time.time() - began
        gevent.sleep(3)  # the last deliveries and acks

        memory_end = {p.name: rss_mb(p.pid) for p in topo.processes if p.alive()}
        stored_ids = set(psql("SELECT client_id FROM chat_message WHERE client_id <> ''").split())
        lost_messages = len(results["acked"] - stored_ids)
        ticket_ids = ",".join(str(t) for t in results["tickets"]) or "0"
        stored_tickets = int(
            psql(f"SELECT count(*) FROM helpdesk_ticket WHERE id IN ({ticket_ids})")
        )
        lost_tickets = len(results["tickets"]) - stored_tickets

        print(
            f"\nLoad: {args.customers} customers, {args.specialists} specialists, one trivial "
            f"client, {elapsed / 60:.1f} min, through nginx (rehearsal topology)\n"
        )
        print(f"{'endpoint':42} {'requests':>9} {'failures':>9} {'p50 ms':>8} {'p99 ms':>8}")
        for (name, _method), entry in sorted(env.stats.entries.items()):
            print(
                f"{name:42} {entry.num_requests:9d} {entry.num_failures:9d} "
                f"{entry.get_response_time_percentile(0.5):8.0f} "
                f"{entry.get_response_time_percentile(0.99):8.0f}"
            )
        latency = results["latency"]
        print(
            f"\nchat round trip, customer's send to the specialist's socket: "
            f"{len(latency)} messages, p50 {statistics.median(latency) if latency else 0:.1f} ms, "
            f"p99 {percentile(latency, 99):.1f} ms"
        )
        for label, key in (
            ("  of which send to stored (server clock)", "to_store"),
            ("  of which stored to the specialist's socket", "store_to_socket"),
            ("load generator loop lag (a 100 ms sleep's overshoot)", "loop_lag"),
        ):
            values = results[key]
            print(
                f"{label}: p50 {statistics.median(values) if values else 0:.1f} ms, "
                f"p99 {percentile(values, 99):.1f} ms, max {max(values, default=0):.1f} ms"
            )
        print(
            f"tickets: {len(results['tickets'])} acknowledged, {lost_tickets} lost; "
            f"chat messages: {len(results['acked'])} acknowledged, {lost_messages} lost; "
            f"errors: {env.stats.total.num_failures}"
        )
        print(f"\n{'process':14} {'RSS start MB':>13} {'RSS end MB':>11}")
        for name, start_mb in memory_start.items():
            print(f"{name:14} {start_mb:13.0f} {memory_end.get(name, 0):11.0f}")
    finally:
        topo.stop()


# -- capacity ----------------------------------------------------------------------------


def run_capacity(args: argparse.Namespace) -> None:
    import asyncio

    from websockets.asyncio.client import connect

    topo = Topology()
    if args.recheck:
        topo.env["CHAT_ACCESS_RECHECK_SECONDS"] = str(args.recheck)
    try:
        start(topo, full=False)
        # A session per socket, as 5,000 customers would have: the process's re-check
        # round checks each distinct session once per period.
        sessions = -(-args.sockets // 50)
        seeded = topo.seed("load", "50", "0", "0", str(sessions))
        cookies = seeded["customers"]
        ws1 = topo.named["ws1"]
        url = f"ws://127.0.0.1:{topo.ports['ws1']}/ws/chat/"
        origin = f"http://127.0.0.1:{topo.ports['ws1']}"
        time.sleep(2)
        before = rss_mb(ws1.pid)

        async def hold() -> dict:
            sockets = []
            opened = time.monotonic()
            for i in range(args.sockets):
                if time.monotonic() - opened > args.open_within:
                    print(f"stopped opening after {args.open_within} s", file=sys.stderr)
                    break
                try:
                    ws = await connect(
                        url,
                        origin=origin,
                        additional_headers={"Cookie": f"sessionid={cookies[i % len(cookies)]}"},
                        open_timeout=30,
                        ping_interval=None,
                    )
                except Exception as exc:
                    print(f"socket {i} failed: {exc!r}", file=sys.stderr)
                    break
                sockets.append(ws)

            async def heartbeat(ws) -> None:
                await asyncio.sleep(random.uniform(0, 25))
                while True:
                    await ws.send(json.dumps({"type": "ping"}))
                    await ws.recv()
                    await asyncio.sleep(25)

            took = time.monotonic() - opened
            tasks = [asyncio.create_task(heartbeat(ws)) for ws in sockets]
            await asyncio.sleep(5)
            cpu_start, at = cpu_seconds(ws1.pid), time.monotonic()
            await asyncio.sleep(args.rest)
            cpu = (cpu_seconds(ws1.pid) - cpu_start) / (time.monotonic() - at)
            after = rss_mb(ws1.pid)
            for t in tasks:
                t.cancel()
            for ws in sockets:
                await ws.close()
            return {"open": len(sockets), "took": took, "cpu": cpu, "after": after}

        result = asyncio.run(hold())
        per_socket_kb = (result["after"] - before) * 1024 / max(1, result["open"])
        recheck = topo.env.get("CHAT_ACCESS_RECHECK_SECONDS", "5 (default)")
        print(
            f"\nCHAT_ACCESS_RECHECK_SECONDS={recheck}. Capacity of one uvicorn process: {result['open']} of {args.sockets} idle customer "
            f"chat sockets opened in {result['took']:.0f} s, each pinging every 25 s; RSS "
            f"{before:.0f} MB before, {result['after']:.0f} MB with them open: "
            f"{per_socket_kb:.0f} KB per socket; CPU at rest {result['cpu'] * 100:.1f}% of a core "
            f"(measured over {args.rest} s)"
        )
    finally:
        topo.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--specialists", type=int, default=4)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--capacity", action="store_true")
    parser.add_argument("--sockets", type=int, default=5000)
    parser.add_argument(
        "--recheck", type=int, default=0, help="capacity: CHAT_ACCESS_RECHECK_SECONDS to run with"
    )
    parser.add_argument("--rest", type=int, default=30, help="seconds of CPU measured at rest")
    parser.add_argument(
        "--open-within", type=int, default=240, help="capacity: stop opening sockets after this"
    )
    arguments = parser.parse_args()
    # A SIGTERM (timeout, Ctrl-C from a supervisor) still stops every process started.
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    (run_capacity if arguments.capacity else run_load)(arguments)
