"""Tickets and SLA at scale, on PostgreSQL (issue 4 and 5 benchmarks).

    .venv/bin/python bench/tickets.py seed      # 1,000,000 tickets in premium_desk_bench
    .venv/bin/python bench/tickets.py admin     # admin ticket list server time vs trivial view
    .venv/bin/python bench/tickets.py submit    # ticket submissions/s under gunicorn vs trivial view
    .venv/bin/python bench/tickets.py sweep     # SLA sweep: nothing due, then 10,000 escalations
    .venv/bin/python bench/tickets.py all

Runs against its own database (BENCH_DATABASE, default premium_desk_bench) on the local
PostgreSQL; `seed` is needed once. Every figure is printed next to a baseline measured in
the same run."""

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

from common import ROOT, ensure_database, setup_django, summary, timed

TICKETS = int(os.environ.get("BENCH_TICKETS", "1000000"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


def seed() -> None:
    from django.core.management import call_command
    from django.db import connection

    from helpdesk.demo import demo_seed

    call_command("migrate", verbosity=0)
    demo_seed()
    from django.db import connection as conn

    conn.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM helpdesk_ticket")
        have = cur.fetchone()[0]
        if have >= TICKETS:
            print(f"{have:,} tickets already there")
            return
        cur.execute("SELECT id, account_id FROM accounts_user WHERE email='admin@acme.example'")
        requester, account = cur.fetchone()
        cur.execute("SELECT id FROM accounts_user WHERE email='agent@support.example'")
        agent = cur.fetchone()[0]
        started = time.perf_counter()
        # A year of history: ~97% answered and solved, the rest open; open ones spread
        # from two days overdue to a day ahead; a quarter assigned; 10% business-critical.
        cur.execute(
            """
            INSERT INTO helpdesk_ticket (
                account_id, requester_id, requester_role, channel, subject, description,
                business_critical, status, assignee_id, created_at, updated_at,
                sla_policy, sla_kind, due_at, warn_at, warned_at, answered_at, breached_at,
                escalation_level, sla_next_check_at, language)
            SELECT %(account)s, %(requester)s, 'super_admin', 'email',
                   'Bench ticket ' || g, 'Generated for the benchmark', g %% 10 = 0,
                   CASE WHEN g %% 33 = 0 THEN 'open' ELSE 'solved' END,
                   CASE WHEN g %% 4 = 0 THEN %(agent)s END,
                   t.created, t.created,
                   CASE WHEN g %% 10 = 0 THEN 'business_critical' ELSE 'standard' END,
                   'guaranteed', t.due, t.created + (t.due - t.created) * 0.75,
                   NULL,
                   CASE WHEN g %% 33 = 0 THEN NULL ELSE t.created + interval '20 minutes' END,
                   NULL, 0,
                   CASE WHEN g %% 33 = 0 THEN t.due + interval '10 years' END,
                   'en'
            FROM generate_series(1, %(n)s) AS g,
            LATERAL (
                SELECT c AS created,
                       c + CASE WHEN g %% 10 = 0 THEN interval '30 minutes'
                                ELSE interval '1 hour' END AS due
                FROM (SELECT CASE WHEN g %% 33 = 0
                                  THEN now() - interval '2 days' + (g %% 4320) * interval '1 minute'
                                  ELSE now() - interval '365 days' + (g %% 525600) * interval '1 minute'
                             END AS c) AS s
            ) AS t
            """,
            {"account": account, "requester": requester, "agent": agent, "n": TICKETS - have},
        )
        # Open tickets already past their deadline are breached (as the sweep leaves them).
        cur.execute(
            """UPDATE helpdesk_ticket SET breached_at = due_at, escalation_level = 1,
                      sla_next_check_at = NULL
               WHERE answered_at IS NULL AND due_at < now()"""
        )
        print(f"seeded {TICKETS - have:,} tickets in {time.perf_counter() - started:.1f} s")


def vacuum() -> None:
    """Steady state as autovacuum leaves it: statistics and the visibility map."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE helpdesk_ticket")


def admin_list() -> None:
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="agent@support.example"))
    count = User.objects.none().model.objects.count()  # noqa: F841 - warm the connection
    from helpdesk.tickets.models import Ticket

    print(f"\nAdmin ticket list, server time in process, {Ticket.objects.count():,} tickets")

    def get(path: str, **params: str):
        def run():
            response = client.get(path, params)
            assert response.status_code == 200, response.status_code

        return run

    baseline = timed(get("/healthz"), 200)
    print(f"  trivial view (/healthz)          {summary(baseline)}")
    for label, params in [
        ("default (ordered by deadline)", {}),
        ("filter: breached", {"sla": "breached"}),
        ("filter: due within 15 minutes", {"sla": "due_soon"}),
        ("filter: unassigned + open", {"assigned": "nobody", "state": "open"}),
    ]:
        samples = timed(get("/admin/tickets/ticket/", **params), 40)
        ratio = statistics.median(samples) / statistics.median(baseline)
        print(f"  {label:<32} {summary(samples)}   x{ratio:.0f} trivial (aim p50 < 150 ms)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session(port: int, email: str) -> tuple[str, str]:
    """Log in over HTTP; returns (cookie header, csrf token)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    body = response.read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    cookies = {
        c.split("=", 1)[0]: c.split("=", 1)[1].split(";")[0]
        for c in response.headers.get_all("Set-Cookie")
    }
    form = urllib.parse.urlencode(
        {"username": email, "password": "demo-pass-2026", "csrfmiddlewaretoken": csrf}
    )
    conn.request(
        "POST",
        "/login/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    for c in response.headers.get_all("Set-Cookie") or []:
        key, value = c.split("=", 1)
        cookies[key] = value.split(";")[0]
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), cookies["csrftoken"]


def _load(
    port: int, method: str, path: str, body: str, headers: dict, seconds: float, threads: int
) -> tuple[int, int]:
    done = [0] * threads
    errors = [0] * threads
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        while time.monotonic() < stop:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            response.read()
            if response.status in (200, 201):
                done[i] += 1
            else:
                errors[i] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(done), sum(errors)


def submit(database_url: str) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS,
        "TICKET_RATE_LIMIT_PER_HOUR": "1000000000",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "helpdesk.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cookie, csrf = _session(port, "admin@acme.example")
        seconds, threads = 10.0, 4
        ok, err = _load(port, "GET", "/healthz", None, {}, seconds, threads)
        trivial = ok / seconds
        form = urllib.parse.urlencode(
            {
                "subject": "Load test",
                "description": "Submitted by bench/tickets.py",
                "csrfmiddlewaretoken": csrf,
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Cookie": cookie,
            "X-CSRFToken": csrf,
            "Referer": f"http://127.0.0.1:{port}/",
        }
        ok2, err2 = _load(port, "POST", "/tickets/new/", form, headers, seconds, threads)
        submissions = ok2 / seconds
        print(
            f"\nTicket submissions under gunicorn (2 workers, {threads} client threads, "
            f"{seconds:.0f} s each)"
        )
        print(f"  trivial view:  {trivial:8.1f} req/s  ({err} errors)")
        print(
            f"  submissions:   {submissions:8.1f} tickets/s ({err2} errors)  = "
            f"{100 * submissions / trivial:.1f}% of the trivial view (aim >= 8%)"
        )
    finally:
        server.terminate()
        server.wait()
        subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], capture_output=True)


def sweep() -> None:
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from helpdesk.tickets.models import Ticket
    from sla.sweep import run_sweep

    open_tickets = Ticket.objects.filter(answered_at__isnull=True)
    with connection.cursor() as cur:
        # Every ticket open with its clock running, deadlines in the future.
        cur.execute(
            """UPDATE helpdesk_ticket SET answered_at = NULL, status = 'open', breached_at = NULL,
                      escalation_level = 0, warned_at = now(),
                      due_at = now() + interval '1 day', sla_next_check_at = now() + interval '1 day'
               WHERE answered_at IS NOT NULL OR sla_next_check_at IS NULL
                  OR sla_next_check_at < now() + interval '1 hour'"""
        )
        cur.execute("ANALYZE helpdesk_ticket")
    total_open = open_tickets.count()
    print(f"\nSLA sweep on {total_open:,} open tickets")
    run_sweep()  # warm the connection
    with CaptureQueriesContext(connection) as nothing:
        run_sweep()
    idle = timed(run_sweep, 30, warmup=0)
    print(
        f"  nothing due:          {summary(idle)}, "
        f"{len(nothing.captured_queries)} queries (aim < 50 ms)"
    )
    ids = list(open_tickets.order_by("id").values_list("id", flat=True)[:10_000])
    past = timezone.now() - timedelta(minutes=5)
    Ticket.objects.filter(pk__in=ids).update(due_at=past, sla_next_check_at=past)
    with CaptureQueriesContext(connection) as busy:
        started = time.perf_counter()
        counts = run_sweep()
        busy_ms = (time.perf_counter() - started) * 1000
    print(
        f"  10,000 escalations:   {busy_ms:8.1f} ms, {len(busy.captured_queries)} queries "
        f"({counts['ticket']:,} escalated; aim < 10 s)"
    )
    breached = Ticket.objects.filter(pk__in=ids, breached_at__isnull=False).count()
    print(f"  check: {breached:,} of the 10,000 now breached at level 1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["seed", "admin", "submit", "sweep", "all"])
    args = parser.parse_args()
    database_url = ensure_database()
    # Tasks are queued to a Redis no worker reads, as a request would in production.
    setup_django(database_url, REDIS_URL=REDIS, CELERY_TASK_ALWAYS_EAGER="false")
    steps = ["seed", "admin", "submit", "sweep"] if args.what == "all" else [args.what]
    for step in steps:
        if step == "seed":
            seed()
            vacuum()
        elif step == "admin":
            admin_list()
        elif step == "submit":
            submit(database_url)
        elif step == "sweep":
            sweep()


if __name__ == "__main__":
    main()
