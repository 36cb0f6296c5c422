"""Reads for the knowledge base: suggestions, articles, votes and the deflection report."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accounts.models import User
from helpdesk.kb import search
from helpdesk.kb.models import Article, ArticleFeedback, HelpQuestion
from helpdesk.kb.permissions import can_read_unpublished_articles

FALLBACK_LANGUAGE = "en"
SUGGESTION_LIMIT = 6
# Longer questions are cut before searching; the rest adds cost, not precision.
QUESTION_SEARCH_CHARS = 300


def search_languages(language: str | None) -> list[str]:
    """The user's language first, then English."""
    known = {code for code, _name in settings.LANGUAGES}
    base = (language or FALLBACK_LANGUAGE).split("-")[0].lower()
    first = base if base in known else FALLBACK_LANGUAGE
    return [first] if first == FALLBACK_LANGUAGE else [first, FALLBACK_LANGUAGE]


def article_suggestions(
    *, query: str, language: str | None, limit: int = SUGGESTION_LIMIT
) -> list[Article]:
    """Published articles matching a question, best first: articles in the user's
    language, then English ones to fill the list."""
    query = (query or "").strip()[:QUESTION_SEARCH_CHARS]
    if len(query) < 2:
        return []
    hits: list[search.SearchHit] = []
    for code in search_languages(language):
        hits += search.search(query=query, language=code, limit=limit - len(hits))
        if len(hits) >= limit:
            break
    articles = Article.objects.only("slug", "title", "summary", "language").in_bulk(
        [hit.article_id for hit in hits]
    )
    return [articles[hit.article_id] for hit in hits if hit.article_id in articles]


def article_for_reading(*, slug: str, user: User | AnonymousUser) -> Article | None:
    if "\x00" in slug:  # PostgreSQL refuses NUL in text; no slug contains one
        return None
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        return None
    if not article.is_published and not can_read_unpublished_articles(user):
        return None
    return article


def article_list(*, language: str | None) -> dict[str, list[Article]]:
    """Published articles for the knowledge-base index, by language (user's first)."""
    languages = search_languages(language)
    articles = Article.objects.filter(is_published=True, language__in=languages).only(
        "slug", "title", "summary", "language"
    )
    grouped: dict[str, list[Article]] = {code: [] for code in languages}
    for article in articles:
        grouped[article.language].append(article)
    return grouped


def article_feedback_for(*, article: Article, user: User | AnonymousUser) -> ArticleFeedback | None:
    if not user.is_authenticated:
        return None
    return ArticleFeedback.objects.filter(article=article, user=user).first()


@dataclass(frozen=True)
class DeflectionWeek:
    week: date
    questions: int
    opened: int
    contacted: int
    contacted_without_question: int

    @property
    def opened_share(self) -> float | None:
        return self.opened / self.questions if self.questions else None

    @property
    def contacted_share(self) -> float | None:
        return self.contacted / self.questions if self.questions else None


def deflection_report(*, weeks: int = 12, now: datetime | None = None) -> list[DeflectionWeek]:
    """Per week (Monday first, newest first): questions asked in the help dialog, how
    many opened a suggested article and how many went on to Contact us."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    first_week = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    start = timezone.make_aware(datetime.combine(first_week, datetime.min.time()))
    asked = ~Q(question="")
    rows = (
        HelpQuestion.objects.filter(asked_at__gte=start)
        .annotate(week=TruncWeek("asked_at"))
        .values("week")
        .annotate(
            questions=Count("pk", filter=asked),
            opened=Count("pk", filter=asked & Q(opened_at__isnull=False)),
            contacted=Count("pk", filter=asked & Q(contacted_at__isnull=False)),
            contacted_only=Count("pk", filter=~asked & Q(contacted_at__isnull=False)),
        )
    )
    by_week: dict[date, Mapping[str, Any]] = {}
    for row in rows:
        week = row["week"]
        week = timezone.localtime(week).date() if isinstance(week, datetime) else week
        by_week[week] = row
    report = []
    for index in range(weeks):
        week = first_week + timedelta(weeks=weeks - 1 - index)
        counts = by_week.get(week, {})
        report.append(
            DeflectionWeek(
                week=week,
                questions=counts.get("questions", 0),
                opened=counts.get("opened", 0),
                contacted=counts.get("contacted", 0),
                contacted_without_question=counts.get("contacted_only", 0),
            )
        )
    return report


def article_published_list(*, language: str | None = None) -> QuerySet[Article]:
    """Published articles, in one language or all (the API's list)."""
    articles = Article.objects.filter(is_published=True)
    if language:
        articles = articles.filter(language=language)
    return articles
