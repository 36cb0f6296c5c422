"""Chat resume after a long absence: how long a customer socket takes to receive 1,000
missed messages in pages (a resume, then "history" frames while "more"), next to the one
frame of the newest 200 that a resume was before paging, measured through the real ASGI
stack (origin check, session auth, consumer) with WebsocketCommunicator, in process.

    .venv/bin/python bench/chat_resume.py [--behind 1000] [--rounds 20] [--body 100]

A throwaway SQLite database by default; BENCH_DATABASE_URL for PostgreSQL (a database
that may be emptied: it is flushed). Prints figures; asserts nothing."""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import pct


def prepare(behind: int, body_chars: int) -> tuple[str, int]:
    os.environ.setdefault(
        "DATABASE_URL",
        os.environ.get("BENCH_DATABASE_URL")
        or f"sqlite:///{tempfile.mkdtemp(prefix='bench-resume-')}/db.sqlite3",
    )
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("ALLOWED_HOSTS", "*")
    os.environ.pop("REDIS_URL", None)  # the in-memory layer: the figure is the resume's own
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from accounts.services import staff_groups_ensure
    from chat.services import conversation_accept, conversation_start, message_store
    from tests.factories import StaffFactory, SuperAdminFactory

    call_command("migrate", verbosity=0)
    call_command("flush", verbosity=0, interactive=False)
    staff_groups_ensure()
    customer = SuperAdminFactory(email="bench-customer@example.com")
    specialist = StaffFactory(email="bench-specialist@example.com")
    conversation, _ = conversation_start(customer=customer, topic="Benchmark", body="start")
    conversation_accept(conversation_id=conversation.pk, specialist=specialist)
    for start in range(2, behind + 2, 250):
        numbers = range(start, min(start + 250, behind + 2))
        items = [(f"{n} ".ljust(body_chars, "x"), "") for n in numbers]
        message_store(conversation_id=conversation.pk, sender=specialist, items=items)
    client = Client()
    client.force_login(customer)
    return client.cookies["sessionid"].value, conversation.pk


async def one_resume(application, cookie: str, conversation: int, after: int) -> tuple[int, int]:
    from channels.testing import WebsocketCommunicator

    from chat.consumers import rate_limiter

    rate_limiter.counts.clear()
    headers = [(b"origin", b"http://127.0.0.1"), (b"cookie", f"sessionid={cookie}".encode())]
    comm = WebsocketCommunicator(application, "/ws/chat/", headers=headers)
    assert (await comm.connect(timeout=10))[0]
    await comm.send_to(
        text_data=json.dumps({"type": "resume", "after_seq": after, "conversation": conversation})
    )
    got, frames = 0, 0
    while True:
        frame = json.loads(await comm.receive_from(timeout=10))
        if frame["type"] not in ("history", "page"):
            continue
        got, frames = got + len(frame["messages"]), frames + 1
        if not frame.get("more"):
            break
        await comm.send_to(
            text_data=json.dumps({"type": "history", "after_seq": frame["next_after"]})
        )
    await comm.disconnect()
    return got, frames


def report(name: str, samples: list[float], got: int, frames: int) -> None:
    p50 = statistics.median(samples)
    print(
        f"{name:<34} {got:5d} messages in {frames} frames: p50 {p50:7.1f} ms  "
        f"p99 {pct(samples, 99):7.1f} ms  ({p50 / got * 1000:.0f} µs per message)"
    )


async def run(args: argparse.Namespace, cookie: str, conversation: int) -> None:
    from helpdesk.asgi import application

    for name, after in (("paged resume, 1 held", 1), ("one frame, newest page (before)", 0)):
        samples = []
        for i in range(args.rounds + 2):
            started = time.perf_counter()
            got, frames = await one_resume(application, cookie, conversation, after)
            if i >= 2:  # two warm-up rounds
                samples.append((time.perf_counter() - started) * 1000)
        report(name, samples, got, frames)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--behind", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--body", type=int, default=100, help="characters per message")
    args = parser.parse_args()
    cookie, conversation = prepare(args.behind, args.body)
    from django.db import connection

    print(f"{connection.vendor}, {args.behind} messages behind, {args.body}-character bodies")
    asyncio.run(run(args, cookie, conversation))


if __name__ == "__main__":
    main()
