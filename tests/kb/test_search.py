"""Ranked search, on whichever database the suite runs (SQLite or PostgreSQL)."""

import pytest
from django.db import connection

from helpdesk.kb import search
from helpdesk.kb.models import Article
from helpdesk.kb.selectors import article_suggestions, search_languages
from tests.kb.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _slugs(query: str, language: str = "en") -> list[str]:
    return [a.slug for a in article_suggestions(query=query, language=language)]


def test_the_real_search_engine_of_the_database_is_used():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'helpdesk_article_search_gin'"
            )
            assert "USING gin (search_vector)" in cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'helpdesk_article_fts'")
            assert "fts5" in cursor.fetchone()[0].lower()


def test_a_title_match_outranks_body_and_summary_matches():
    ArticleFactory(
        slug="body",
        title="Working with the portal",
        body="Callbacks callbacks callbacks: " + "the callback is requested here. " * 5,
    )
    ArticleFactory(slug="summary", title="Phone support", summary="How a callback works.")
    ArticleFactory(slug="title", title="Request a callback", body="Short.")
    ArticleFactory(slug="other", title="Unrelated", body="Nothing about phones.")
    assert _slugs("callback") == ["title", "summary", "body"]


def test_words_are_matched_by_stem_and_the_last_word_as_a_prefix():
    ArticleFactory(slug="passwords", title="Resetting passwords")
    assert _slugs("reset password") == ["passwords"]
    assert _slugs("passw") == ["passwords"]
    assert _slugs("reset passw") == ["passwords"]
    assert _slugs("assw") == []  # a prefix, not a substring


def test_all_the_words_in_a_title_come_before_some_of_them_and_before_the_body():
    ArticleFactory(slug="body-all", title="Working with files", body="How to export data.")
    ArticleFactory(slug="title-some", title="Export settings", body="Short.")
    ArticleFactory(slug="title-all", title="Export data to CSV", body="Short.")
    ArticleFactory(slug="body-some", title="Reports", body="Data is kept for a year.")
    ArticleFactory(slug="none", title="Unrelated", body="Nothing here.")
    assert _slugs("export data") == ["title-all", "title-some", "body-all", "body-some"]


def test_a_word_being_typed_matches_as_a_prefix_from_its_third_letter():
    ArticleFactory(slug="callback", title="Request a callback")
    ArticleFactory(slug="ca", title="CA certificates")
    assert _slugs("ca") == ["ca"]  # two letters: the whole word only
    assert _slugs("cal") == ["callback"]
    assert _slugs("request c") == ["callback"]  # one letter: no prefix, "request" matches
    assert search.search_words("request c", for_query=True)[-1] == search.SearchWord("c")


def test_suggestions_prefer_the_users_language_then_fall_back_to_english():
    ArticleFactory(slug="en-callback", title="Premium callback", language="en")
    ArticleFactory(slug="fr-callback", title="Rappel premium (callback)", language="fr")
    ArticleFactory(slug="ja-callback", title="コールバック callback", language="ja")
    assert _slugs("callback", "fr") == ["fr-callback", "en-callback"]
    assert _slugs("callback", "ja") == ["ja-callback", "en-callback"]
    assert _slugs("callback", "en") == ["en-callback"]
    assert _slugs("callback", "de") == ["en-callback"]  # unknown language: English
    assert search_languages("fr-CA") == ["fr", "en"]


def test_french_accents_and_japanese_without_spaces_are_found():
    ArticleFactory(slug="fr", title="Délai de réponse garanti", language="fr")
    ArticleFactory(slug="ja", title="ビジネスクリティカルな問題とは", language="ja")
    ArticleFactory(slug="ja2", title="パスワードのリセット", language="ja")
    assert _slugs("delai de reponse", "fr") == ["fr"]
    assert _slugs("réponse", "fr") == ["fr"]
    assert _slugs("問題", "ja") == ["ja"]
    assert _slugs("クリティカルな問題", "ja") == ["ja"]
    assert _slugs("パスワードをリセットしたい", "ja") == ["ja2"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "a",
        "x" * 1000,
        "<script>alert(1)</script>",
        "' OR 1=1; --",
        "'); DROP TABLE helpdesk_article; --",
        '"unbalanced',
        "* OR NEAR(a b)",
        "callback:* & !x | (y",
        "\x00\u202e",
    ],
)
def test_odd_questions_answer_without_error(query):
    ArticleFactory(slug="callback", title="Request a callback")
    results = article_suggestions(query=query, language="en")
    assert isinstance(results, list)
    assert Article.objects.filter(slug="callback").exists()


def test_unpublished_articles_are_never_suggested():
    ArticleFactory(slug="draft", title="Callback draft", is_published=False)
    assert _slugs("callback") == []


def test_the_index_follows_edits_and_deletes():
    article = ArticleFactory(slug="edit-me", title="Request a callback")
    article.title = "Chat with a specialist"
    article.save()
    assert _slugs("callback") == []
    assert _slugs("specialist") == ["edit-me"]
    article.delete()
    assert _slugs("specialist") == []


def test_rebuild_index_after_bulk_creation():
    Article.objects.bulk_create(
        [
            Article(slug=f"bulk-{i}", title=f"Bulk callback {i}", summary="s", body="b")
            for i in range(3)
        ]
    )
    assert search.rebuild_index() == 3
    assert len(_slugs("callback")) == 3
