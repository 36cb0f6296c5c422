"""Benchmark: the help dialog's suggestion endpoint over 10,000 articles.

    .venv/bin/python bench/suggest.py                  # SQLite, and PostgreSQL if reachable
    .venv/bin/python bench/suggest.py --only sqlite
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/premium_desk_bench .venv/bin/python bench/suggest.py

For each database, in a fresh process: migrate a dedicated benchmark database (SQLite file
in the temp directory; PostgreSQL database premium_desk_bench, created if missing), seed
10,000 articles (70% English, 15% French, 15% Japanese), build the search index, then
time requests in process through the whole Django stack (middleware, view, database):
server-side latency, no network. A trivial view is timed in the same run for scale.

Two corpora (`--corpus`):
- `zipf` (default): text drawn like natural language, word frequencies following Zipf's
  law over a vocabulary of ~4,000 words per language (function words most frequent,
  product words such as "callback" or "password" spread from common to rare, filler
  words made of syllables), so a word is in a few percent to most of the articles.
- `narrow`: the worst case: every article made of the same ~70 product words, so
  nearly every question matches nearly every article.
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


FUNCTION_WORDS = {
    "en": [
        "the",
        "of",
        "and",
        "to",
        "a",
        "in",
        "is",
        "you",
        "that",
        "it",
        "for",
        "on",
        "with",
        "as",
        "your",
        "are",
        "this",
        "be",
        "can",
        "by",
        "from",
        "or",
        "an",
        "if",
        "at",
        "not",
        "will",
        "have",
        "when",
        "which",
        "their",
        "they",
        "more",
        "all",
    ],
    "fr": [
        "de",
        "la",
        "le",
        "et",
        "les",
        "des",
        "en",
        "un",
        "une",
        "du",
        "pour",
        "est",
        "que",
        "vous",
        "dans",
        "qui",
        "sur",
        "au",
        "par",
        "pas",
        "ne",
        "avec",
        "ce",
        "votre",
        "plus",
        "sont",
        "ou",
        "se",
        "il",
        "si",
        "aux",
    ],
    "ja": ["の", "を", "に", "は", "が", "と", "で", "も", "です", "ます", "して", "から"],
}
SYLLABLES = {
    "en": [
        "ba",
        "be",
        "bi",
        "bo",
        "ca",
        "co",
        "da",
        "de",
        "di",
        "do",
        "fa",
        "fe",
        "ga",
        "ge",
        "ka",
        "ke",
        "la",
        "le",
        "li",
        "lo",
        "ma",
        "me",
        "mi",
        "mo",
        "na",
        "ne",
        "no",
        "pa",
        "pe",
        "po",
        "ra",
        "re",
        "ri",
        "ro",
        "sa",
        "se",
        "si",
        "so",
        "ta",
        "te",
        "ti",
        "to",
        "va",
        "ve",
        "vi",
        "wa",
        "we",
        "zo",
    ],
    "fr": [
        "ba",
        "bé",
        "bi",
        "bo",
        "ca",
        "ça",
        "co",
        "da",
        "dé",
        "di",
        "do",
        "fa",
        "fé",
        "ga",
        "ge",
        "la",
        "lé",
        "li",
        "lo",
        "ma",
        "mé",
        "mi",
        "mo",
        "na",
        "né",
        "no",
        "pa",
        "pé",
        "po",
        "ra",
        "ré",
        "ri",
        "ro",
        "sa",
        "sé",
        "si",
        "so",
        "ta",
        "té",
        "ti",
        "to",
        "va",
        "vé",
        "vi",
    ],
    "ja": list("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモラリルレロ"),
}
VOCABULARY_SIZE = 4000


def _zipf_vocabulary(rng: random.Random, language: str, product_words: list[str]):
    """Words ranked by frequency and their cumulative Zipf weights (s = 1)."""
    seen = set(product_words) | set(FUNCTION_WORDS[language])
    filler = []
    while len(filler) < VOCABULARY_SIZE:
        word = "".join(rng.choice(SYLLABLES[language]) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            filler.append(word)
    ranked = list(FUNCTION_WORDS[language]) + filler
    # Product words from common (rank ~40) to rare (rank ~2,000).
    for index, word in enumerate(product_words):
        ranked.insert(40 + index * (2000 // len(product_words)), word)
    weights, total = [], 0.0
    for rank in range(1, len(ranked) + 1):
        total += 1 / rank
        weights.append(total)
    return ranked, weights


def _text(rng: random.Random, words: list[str], count: int, sep: str = " ", weights=None) -> str:
    if weights is None:
        return sep.join(rng.choice(words) for _ in range(count))
    return sep.join(rng.choices(words, cum_weights=weights, k=count))


def seed(rng: random.Random, corpus: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    from helpdesk.kb import search
    from helpdesk.kb.models import Article, HelpQuestion

    call_command("migrate", verbosity=0)
    HelpQuestion.objects.all().delete()
    Article.objects.all().delete()
    product = {"en": EN_WORDS, "fr": FR_WORDS, "ja": JA_WORDS}
    vocabularies = {
        language: (_zipf_vocabulary(rng, language, words) if corpus == "zipf" else (words, None))
        for language, words in product.items()
    }
    rows = []
    for i in range(ARTICLES):
        roll = rng.random()
        language = "en" if roll < 0.70 else "fr" if roll < 0.85 else "ja"
        words, weights = vocabularies[language]
        sep = "" if language == "ja" else " "

        def text(count: int) -> str:
            return _text(rng, words, count, sep, weights)  # noqa: B023 - used in this pass

        title = text(rng.randint(3, 7)).capitalize()
        summary = text(18)
        paragraphs = [text(rng.randint(30, 70)) + "." for _ in range(4)]
        body = "## " + text(3) + "\n\n" + "\n\n".join(paragraphs)
        rows.append(
            Article(slug=f"bench-{i}", title=title, summary=summary, body=body, language=language)
        )
    Article.objects.bulk_create(rows, batch_size=1000)
    started = time.perf_counter()
    search.rebuild_index()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does after a bulk load: statistics and the visibility map.
            cursor.execute("VACUUM ANALYZE helpdesk_article")
    print(
        f"  seeded {ARTICLES} articles ({corpus} corpus), "
        f"index built in {time.perf_counter() - started:.1f} s"
    )


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


def run_one(corpus: str) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path

    rng = random.Random(2026)
    print(f"\n{connection.vendor} ({connection.settings_dict['NAME']})")
    seed(rng, corpus)

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
                headers = {"accept-language": language}
                if with_key:
                    # The dialog POSTs to have the question counted (GET only reads).
                    params["key"] = str(uuid.uuid4())
                    return client.post("/help/suggestions/", params, headers=headers)
                return client.get("/help/suggestions/", params, headers=headers)

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
    parser.add_argument("--corpus", choices=["zipf", "narrow"], default="zipf")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.corpus)
        return
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"),
        "DEBUG": "false",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        # One client sends every request: keep the limit's bookkeeping, lift the limit.
        "SUGGESTION_RATE_LIMIT_PER_MINUTE": "100000000",
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
            [sys.executable, __file__, "--child", "--corpus", args.corpus],
            cwd=ROOT,
            env={**env, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
            check=True,
        )


if __name__ == "__main__":
    main()
