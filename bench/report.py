"""The SLA attainment report at 1,000,000 tickets, on PostgreSQL (issue 15, item 6).

    .venv/bin/python bench/report.py seed    # 1,000,000 tickets over a year in its database
    .venv/bin/python bench/report.py run     # the report's server time vs a trivial view
    .venv/bin/python bench/report.py all

Runs against its own database (BENCH_DATABASE, default premium_desk_report) on the local
PostgreSQL. The tickets are a year of history with every outcome the report counts:
answered in time and late, solved by the customer before anyone answered (stopped),
breached then solved (still breached), exempt, regular users' targets, and recent open
ones; a third assigned to each of two specialists. Every figure is printed next to a
trivial view measured in the same run."""

import argparse
import os
import statistics
import time

from common import ensure_database, setup_django, summary, timed

TICKETS = int(os.environ.get("BENCH_TICKETS", "1000000"))
DATABASE = os.environ.get("BENCH_DATABASE", "premium_desk_report")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")

SEED = """
INSERT INTO helpdesk_ticket (
    account_id, requester_id, requester_role, channel, subject, description,
    business_critical, status, assignee_id, created_at, updated_at, language,
    sla_policy, sla_kind, due_at, warn_at, answered_at, breached_at, resolved_at,
    escalation_level, sla_next_check_at)
SELECT %(account)s, %(requester)s,
       CASE WHEN o.sla_kind = 'target' THEN 'regular' ELSE 'super_admin' END,
       'email', 'Bench ticket ' || g, 'Generated for the benchmark',
       k.critical, o.status,
       CASE g %% 3 WHEN 0 THEN %(agent)s WHEN 1 THEN %(lead)s END,
       t.created, t.created, 'en',
       o.policy, o.sla_kind, t.due, t.created + (t.due - t.created) * 0.75,
       o.answered, o.breached, o.resolved,
       CASE WHEN o.breached IS NULL THEN 0 ELSE 1 END, NULL
FROM generate_series(1, %(n)s) AS g,
LATERAL (SELECT g %% 100 AS r, g %% 10 = 0 AND g %% 100 < 94 AS critical) AS k,
LATERAL (
    SELECT c AS created,
           c + CASE WHEN k.r BETWEEN 94 AND 96 THEN interval '1 day'
                    WHEN k.critical THEN interval '30 minutes'
                    ELSE interval '1 hour' END AS due
    FROM (SELECT CASE WHEN k.r >= 97
                      THEN now() - interval '2 days' + (g %% 2880) * interval '1 minute'
                      ELSE now() - interval '365 days' + (g %% 525600) * interval '1 minute'
                 END AS c) AS s
) AS t,
LATERAL (
    SELECT
        CASE WHEN k.r BETWEEN 94 AND 96 THEN 'regular_target'
             WHEN k.critical THEN 'business_critical' ELSE 'standard' END AS policy,
        CASE WHEN k.r BETWEEN 92 AND 93 THEN 'exempt'
             WHEN k.r BETWEEN 94 AND 96 THEN 'target' ELSE 'guaranteed' END AS sla_kind,
        CASE WHEN k.r >= 97 THEN 'open' ELSE 'solved' END AS status,
        -- Answered 3 to 92 minutes in (some late), exempt ones in 3 hours, targets in 2.
        CASE WHEN k.r < 85 THEN t.created + ((g::bigint * 7919) %% 90 + 3) * interval '1 minute'
             WHEN k.r BETWEEN 92 AND 93 THEN t.created + interval '3 hours'
             WHEN k.r BETWEEN 94 AND 96 THEN t.created + interval '2 hours' END AS answered,
        CASE WHEN k.r BETWEEN 90 AND 91 THEN t.due
             WHEN k.r >= 97 AND t.due < now() THEN t.due END AS breached,
        -- Solved a day after the answer; by the customer 10 minutes in (stopped), or
        -- two hours after the deadline (breached, then stopped).
        CASE WHEN k.r < 85 THEN t.created + interval '1 day'
             WHEN k.r BETWEEN 85 AND 89 THEN t.created + interval '10 minutes'
             WHEN k.r BETWEEN 90 AND 91 THEN t.due + interval '2 hours'
             WHEN k.r BETWEEN 92 AND 96 THEN t.created + interval '1 day' END AS resolved
) AS o
"""


def seed() -> None:
    from django.core.management import call_command
    from django.db import connection

    from helpdesk.demo import demo_seed

    call_command("migrate", verbosity=0)
    demo_seed()
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
        cur.execute("SELECT id FROM accounts_user WHERE email='lead@support.example'")
        lead = cur.fetchone()[0]
        started = time.perf_counter()
        cur.execute(
            SEED,
            {
                "account": account,
                "requester": requester,
                "agent": agent,
                "lead": lead,
                "n": TICKETS - have,
            },
        )
        print(f"seeded {TICKETS - have:,} tickets in {time.perf_counter() - started:.1f} s")
        # Steady state as autovacuum leaves it: statistics and the visibility map.
        cur.execute("VACUUM ANALYZE helpdesk_ticket")


def run() -> None:
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from helpdesk.tickets.models import Ticket
    from sla.reports import BY_SPECIALIST, attainment_report

    client = Client()
    client.force_login(User.objects.get(email="lead@support.example"))
    url = "/admin/tickets/slaattainmentreport/"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nSLA attainment report, server time in process, {Ticket.objects.count():,} tickets "
        f"(load average {load} on {os.cpu_count()} cores)"
    )

    def get(**params: str):
        def go() -> None:
            response = client.get(url if params else "/healthz", params)
            assert response.status_code == 200, response.status_code

        return go

    baseline = timed(get(), 100)
    print(f"  trivial view (/healthz)                      {summary(baseline)}")
    year = timezone.now() - timedelta(days=365)
    cases = [
        ("admin page, default (12 weeks by week)", get(period="week"), 20),
        ("admin page, per specialist (12 weeks)", get(period="week", by="specialist"), 20),
        ("admin page, by month (26 weeks)", get(period="month"), 10),
        ("admin CSV, default", get(period="week", format="csv"), 20),
        ("report, a whole year by week", lambda: attainment_report(since=year), 5),
        (
            "report, a whole year per specialist",
            lambda: attainment_report(since=year, by=BY_SPECIALIST),
            5,
        ),
    ]
    for label, fn, repeat in cases:
        samples = timed(fn, repeat, warmup=2)
        ratio = statistics.median(samples) / statistics.median(baseline)
        print(f"  {label:<44} {summary(samples)}   x{ratio:.0f} trivial (aim < 1 s)")
    # The plan of the report's tickets query: the scan it uses, default range and a year.
    from django.test.utils import CaptureQueriesContext

    for label, since in (("12 weeks", None), ("a year", year)):
        with CaptureQueriesContext(connection) as queries:
            attainment_report(since=since)
        [sql] = [q["sql"] for q in queries.captured_queries if "helpdesk_ticket" in q["sql"]]
        with connection.cursor() as cur:
            cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = [row[0].strip() for row in cur.fetchall()]
        scans = [line.split("  (")[0] for line in plan if "Scan" in line or "Fetches" in line]
        total = [line for line in plan if line.startswith("Execution Time")]
        print(f"  plan, {label}: {' / '.join(scans + total)}")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_size_pretty(pg_relation_size('ticket_report'))")
        print(f"  index ticket_report: {cur.fetchone()[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["seed", "run", "all"])
    args = parser.parse_args()
    database_url = ensure_database(DATABASE)
    # Tasks are queued to a Redis no worker reads, as a request would in production.
    setup_django(database_url, REDIS_URL=REDIS, CELERY_TASK_ALWAYS_EAGER="false")
    if args.what in ("seed", "all"):
        seed()
    if args.what in ("run", "all"):
        run()


if __name__ == "__main__":
    main()
