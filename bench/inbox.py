"""The staff inbox at scale, on PostgreSQL (issue 15): server time of /admin/inbox/ with
1,000,000 tickets, next to a trivial view measured in the same run.

    .venv/bin/python bench/inbox.py seed    # bench/tickets.py's 1,000,000 tickets + chats, callbacks
    .venv/bin/python bench/inbox.py run     # the inbox, each filter, the title count
    .venv/bin/python bench/inbox.py all

Runs against its own database (BENCH_DATABASE, default premium_desk_bench) on the local
PostgreSQL. The tickets are bench/tickets.py's (a year of history, ~3% open, i.e. about
30,000 open tickets spread from two days overdue to a day ahead); this adds 200 chats
(half waiting, half held) and 2,000 callbacks (a tenth claimed)."""

import argparse
import os
import statistics
import time

from common import ensure_database, setup_django, summary, timed

CHATS = int(os.environ.get("BENCH_INBOX_CHATS", "200"))
CALLBACKS = int(os.environ.get("BENCH_INBOX_CALLBACKS", "2000"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
SAMPLES = int(os.environ.get("BENCH_INBOX_SAMPLES", "60"))


def seed() -> None:
    import tickets  # bench/tickets.py: the 1,000,000 tickets
    from django.core.management import call_command
    from django.db import connection

    tickets.seed()
    call_command("migrate", verbosity=0)  # this branch's indexes
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Role, User
    from chat.models import Conversation, ConversationStatus
    from helpdesk.callbacks.models import CallbackRequest, CallbackStatus
    from sla.models import SlaKind, SlaPolicy

    if Conversation.objects.count() >= CHATS:
        print("chats and callbacks already there")
        return
    started = time.perf_counter()
    now = timezone.now()
    admin = User.objects.get(email="admin@acme.example")
    agent = User.objects.get(email="agent@support.example")
    # One open chat per customer: a customer per chat.
    User.objects.bulk_create(
        (
            User(
                email=f"inbox-bench-{n}@acme.example",
                full_name=f"Bench Customer {n}",
                account_id=admin.account_id,
                role=Role.SUPER_ADMIN,
                password="!",
            )
            for n in range(CHATS)
        ),
        ignore_conflicts=True,  # a seed stopped half-way left some
    )
    customers = list(User.objects.filter(email__startswith="inbox-bench-").order_by("id")[:CHATS])
    Conversation.objects.filter(customer__in=customers).delete()
    Conversation.objects.bulk_create(
        Conversation(
            account_id=admin.account_id,
            customer=customer,
            specialist=agent if n % 2 else None,
            topic=f"Bench chat {n}",
            status=ConversationStatus.ACTIVE if n % 2 else ConversationStatus.WAITING,
            created_at=now - timedelta(seconds=10 * n),
            accepted_at=now if n % 2 else None,
            answered_at=now if n % 2 else None,
            sla_policy=SlaPolicy.CHAT_WAIT,
            sla_kind=SlaKind.GUARANTEED,
            due_at=now - timedelta(seconds=10 * n) + timedelta(minutes=2),
        )
        for n, customer in enumerate(customers)
    )
    CallbackRequest.objects.bulk_create(
        (
            CallbackRequest(
                account_id=admin.account_id,
                requester=admin,
                phone="+12125550199",
                topic=f"Bench callback {n}",
                status=CallbackStatus.IN_PROGRESS if n % 10 == 0 else CallbackStatus.WAITING,
                holder=agent if n % 10 == 0 else None,
                answered_at=now if n % 10 == 0 else None,
                created_at=now - timedelta(minutes=n),
                sla_policy=SlaPolicy.CALLBACK,
                sla_kind=SlaKind.GUARANTEED,
                due_at=now - timedelta(minutes=n) + timedelta(minutes=30),
            )
            for n in range(CALLBACKS)
        ),
        batch_size=1000,
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE chat_conversation")
        cur.execute("ANALYZE helpdesk_callbackrequest")
        cur.execute("VACUUM ANALYZE helpdesk_ticket")
    print(
        f"seeded {CHATS} chats and {CALLBACKS:,} callbacks in {time.perf_counter() - started:.1f} s"
    )


def run() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="agent@support.example"))
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FILTER (WHERE status IN ('new', 'open')), count(*) FROM helpdesk_ticket"
        )
        open_tickets, total = cur.fetchone()
    print(
        f"\nStaff inbox, server time in process, {total:,} tickets "
        f"({open_tickets:,} open), {CHATS} chats, {CALLBACKS:,} callbacks"
    )
    print("  server time in process (Django test client), aim: p50 < 150 ms")

    def get(path: str, **params: str):
        def fetch() -> None:
            response = client.get(path, params)
            assert response.status_code == 200, response.status_code

        return fetch

    trivial = get("/healthz")
    for _ in range(3):
        trivial()
    print(
        "  each case alternates with the trivial view (/healthz), sample by sample, so a\n"
        "  busy moment of the machine falls on both; x = case p50 / trivial p50 of that case"
    )
    cases = [
        ("inbox (first 100 by risk)", "/admin/inbox/", {}),
        ("live re-fetch (fragment)", "/admin/inbox/", {"fragment": "1"}),
        ("filter: mine", "/admin/inbox/", {"mine": "1"}),
        ("filter: unassigned", "/admin/inbox/", {"unassigned": "1"}),
        ("filter: breached", "/admin/inbox/", {"breached": "1"}),
        ("filter: due soon", "/admin/inbox/", {"due_soon": "1"}),
        ("filter: business-critical", "/admin/inbox/", {"critical": "1"}),
        ("filter: kind = callback", "/admin/inbox/", {"kind": "callback"}),
        ("title count (/admin/inbox/count/)", "/admin/inbox/count/", {}),
    ]
    for label, path, params in cases:
        case = get(path, **params)
        for _ in range(3):
            case()
        samples, baseline = [], []
        for _ in range(SAMPLES):
            baseline += timed(trivial, 1, warmup=0)
            samples += timed(case, 1, warmup=0)
        ratio = statistics.median(samples) / statistics.median(baseline)
        print(
            f"  {label:<34} {summary(samples)}   trivial p50 {statistics.median(baseline):5.2f} ms"
            f"   x{ratio:.0f}"
        )
    with CaptureQueriesContext(connection) as queries:
        get("/admin/inbox/")()
    slowest = sorted(queries.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:3]
    print(f"  queries per inbox page: {len(queries.captured_queries)}; slowest:")
    for q in slowest:
        print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:110]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["seed", "run", "all"])
    args = parser.parse_args()
    database_url = ensure_database()
    setup_django(database_url, REDIS_URL=REDIS, CELERY_TASK_ALWAYS_EAGER="false")
    if args.what in ("seed", "all"):
        seed()
    if args.what in ("run", "all"):
        run()


if __name__ == "__main__":
    main()
