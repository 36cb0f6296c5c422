"""Benchmark: the help dialog's suggestion endpoint over 10,000 articles.

    .venv/bin/python bench/suggest.py                  # SQLite, and PostgreSQL if reachable
    .venv/bin/python bench/suggest.py --only sqlite
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/premium_desk_bench .venv/bin/python bench/suggest.py

For each database, in a fresh process: migrate a dedicated benchmark database (SQLite file
in the temp directory; PostgreSQL database premium_desk_bench, created if missing), seed
10,000 articles (70% English, 15% French, 15% Japanese), build the search index, then
time requests in process through the whole Django stack (middleware, view, database):
server-side latency, no network. A trivial view is timed in the same run for scale.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 10_000
REQUESTS = 600
WARMUP = 60
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/premium_desk_bench"

EN_WORDS = [
    "account",
    "admin",
    "alert",
    "api",
    "archive",
    "billing",
    "browser",
    "cache",
    "callback",
    "calendar",
    "campaign",
    "chat",
    "contact",
    "critical",
    "dashboard",
    "data",
    "deadline",
    "domain",
    "email",
    "enterprise",
    "error",
    "export",
    "field",
    "filter",
    "form",
    "hub",
    "import",
    "integration",
    "invoice",
    "key",
    "language",
    "limit",
    "list",
    "login",
    "marketing",
    "migration",
    "mobile",
    "notification",
    "outage",
    "owner",
    "password",
    "permission",
    "phone",
    "pipeline",
    "portal",
    "premium",
    "property",
    "quota",
    "record",
    "report",
    "request",
    "reset",
    "role",
    "sales",
    "schedule",
    "security",
    "sequence",
    "service",
    "session",
    "setting",
    "signup",
    "sla",
    "specialist",
    "subscription",
    "support",
    "sync",
    "team",
    "template",
    "ticket",
    "timeout",
    "token",
    "upgrade",
    "upload",
    "user",
    "webhook",
    "workflow",
]
FR_WORDS = [
    "compte",
    "administrateur",
    "alerte",
    "facture",
    "rappel",
    "calendrier",
    "campagne",
    "discussion",
    "contact",
    "critique",
    "tableau",
    "données",
    "délai",
    "domaine",
    "courriel",
    "erreur",
    "export",
    "champ",
    "filtre",
    "formulaire",
    "importation",
    "intégration",
    "langue",
    "limite",
    "connexion",
    "panne",
    "mot",
    "passe",
    "permission",
    "téléphone",
    "portail",
    "rapport",
    "demande",
    "réinitialisation",
    "rôle",
    "ventes",
    "sécurité",
    "service",
    "paramètre",
    "abonnement",
    "support",
    "synchronisation",
    "équipe",
    "modèle",
    "ticket",
    "utilisateur",
]
JA_WORDS = [
    "アカウント",
    "管理者",
    "請求",
    "コールバック",
    "カレンダー",
    "チャット",
    "連絡先",
    "重大",
    "ダッシュボード",
    "データ",
    "期限",
    "メール",
    "エラー",
    "エクスポート",
    "項目",
    "フィルター",
    "フォーム",
    "インポート",
    "連携",
    "言語",
    "上限",
    "ログイン",
    "障害",
    "パスワード",
    "権限",
    "電話",
    "ポータル",
    "レポート",
    "リクエスト",
    "リセット",
    "役割",
    "セキュリティ",
    "設定",
    "契約",
    "サポート",
    "同期",
    "チーム",
    "テンプレート",
    "チケット",
    "ユーザー",
]
QUERIES = {
    "en": [
        "ca",
        "call",
        "callback",
        "request a callback",
        "reset password",
        "login err",
        "sla deadline",
        "how do I export data",
        "integration sync failing",
        "billing invo",
        "premium support phone",
        "webhook timeout error",
        "dashboard slow",
        "x" * 300,
    ],
    "fr": ["rappel", "mot de passe", "facture", "panne critique", "synchronisation", "délai"],
    "ja": ["コールバック", "パスワード", "ログインできない", "請求", "障害", "チケット"],
}


def _text(rng: random.Random, words: list[str], count: int, sep: str = " ") -> str:
    return sep.join(rng.choice(words) for _ in range(count))


def seed(rng: random.Random) -> None:
    from django.core.management import call_command
    from django.db import connection

    from helpdesk.kb import search
    from helpdesk.models import Article, HelpQuestion

    call_command("migrate", verbosity=0)
    HelpQuestion.objects.all().delete()
    Article.objects.all().delete()
    rows = []
    for i in range(ARTICLES):
        roll = rng.random()
        language, words, sep = (
            ("en", EN_WORDS, " ")
            if roll < 0.70
            else ("fr", FR_WORDS, " ")
            if roll < 0.85
            else ("ja", JA_WORDS, "")
        )
        title = _text(rng, words, rng.randint(3, 7), sep).capitalize()
        summary = _text(rng, words, 18, sep)
        paragraphs = [_text(rng, words, rng.randint(30, 70), sep) + "." for _ in range(4)]
        body = "## " + _text(rng, words, 3, sep) + "\n\n" + "\n\n".join(paragraphs)
        rows.append(
            Article(slug=f"bench-{i}", title=title, summary=summary, body=body, language=language)
        )
    Article.objects.bulk_create(rows, batch_size=1000)
    started = time.perf_counter()
    search.rebuild_index()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE helpdesk_article")
    print(f"  seeded {ARTICLES} articles, index built in {time.perf_counter() - started:.1f} s")


def _measure(client, make_request, count: int) -> list[float]:
    for _ in range(WARMUP):
        make_request()
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = make_request()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


def _report(name: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"  {name:<44} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   n={len(ordered)}")


def run_one() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path

    rng = random.Random(2026)  # noqa: S311 - benchmark data, not security
    print(f"\n{connection.vendor} ({connection.settings_dict['NAME']})")
    seed(rng)

    bench_urls = type(sys)("bench_urls")
    bench_urls.urlpatterns = [
        path("bench/trivial/", lambda request: HttpResponse("ok")),
        path("", include("helpdesk.urls")),
    ]
    sys.modules["bench_urls"] = bench_urls
    with override_settings(ROOT_URLCONF="bench_urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        plan = [(lang, q) for lang, queries in QUERIES.items() for q in queries]

        def suggest(with_key: bool):
            def make():
                language, query = rng.choice(plan)
                params = {"q": query}
                if with_key:
                    params["key"] = str(uuid.uuid4())
                return client.get(
                    "/help/suggestions/", params, headers={"accept-language": language}
                )

            return make

        _report("trivial view", _measure(client, lambda: client.get("/bench/trivial/"), REQUESTS))
        _report("suggestions (search only)", _measure(client, suggest(False), REQUESTS))
        _report(
            "suggestions + question recorded (dialog)", _measure(client, suggest(True), REQUESTS)
        )


def _ensure_pg_database(url: str) -> bool:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"\nPostgreSQL not reachable ({exc.__class__.__name__}); skipped")
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one()
        return
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"),
        "DEBUG": "false",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    targets = []
    if args.only in (None, "sqlite"):
        targets.append(f"sqlite:///{Path(tempfile.gettempdir()) / 'premium_desk_bench.sqlite3'}")
    if args.only in (None, "postgres"):
        pg_url = os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL)
        if _ensure_pg_database(pg_url):
            targets.append(pg_url)
    print(f"Suggestion endpoint over {ARTICLES:,} articles, {REQUESTS} timed requests each")
    for url in targets:
        subprocess.run(
            [sys.executable, __file__, "--child"],
            cwd=ROOT,
            env={**env, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
            check=True,
        )


if __name__ == "__main__":
    main()
