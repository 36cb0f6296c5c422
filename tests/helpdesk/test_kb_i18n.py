"""The interface in French and Japanese: catalogues complete, language from
Accept-Language or the nav-bar switcher."""

import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from tests.factories import SuperAdminFactory
from tests.kb.factories import ArticleFactory

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.mark.parametrize("language", ["fr", "ja"])
def test_catalogues_are_complete_and_keep_every_placeholder(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 100
    assert po.percent_translated() == 100
    assert not po.fuzzy_entries()
    for entry in po:
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            assert set(PLACEHOLDER.findall(text)) == wanted, entry.msgid
    # A msgid entered twice makes one of the translations silently win.
    keys = [(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete]
    assert sorted(k for k in set(keys) if keys.count(k) > 1) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (
            "fr-FR,fr;q=0.9,en;q=0.5",
            ["Posez une question", "Nous contacter", "Base de connaissances", 'lang="fr"'],
        ),
        ("ja,en;q=0.5", ["質問を入力", "お問い合わせ", "ナレッジベース", 'lang="ja"']),
        ("de-DE", ["Ask a question", "Contact us", 'lang="en"']),
    ],
)
def test_pages_follow_accept_language(client, accept, expected):
    page = client.get(reverse("kb_index"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    for text in expected:
        assert text in page


@pytest.mark.django_db
def test_french_and_japanese_customer_pages_and_channel_chooser(client):
    client.force_login(SuperAdminFactory())
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Abonnements" in page and "Chat Premium" in page
    assert "Le support Premium est assuré en anglais uniquement." in page
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "サブスクリプション" in page and "プレミアムチャット" in page
    assert "プレミアムサポートは英語のみで対応しています。" in page


@pytest.mark.django_db
def test_the_switcher_overrides_accept_language(client):
    ArticleFactory(slug="a", title="Article")
    response = client.post(reverse("set_language"), {"language": "ja", "next": "/kb/a/"})
    assert response.status_code == 302
    page = client.get("/kb/a/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "この記事は役に立ちましたか？" in page


@pytest.mark.django_db
def test_french_article_page(client):
    ArticleFactory(slug="fr", title="Demander un rappel", language="fr")
    page = client.get("/kb/fr/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Cet article vous a-t-il été utile ?" in page
    assert '<article class="kb-article" lang="fr">' in page
