"""Knowledge-base pages, suggestions, votes, the channel chooser and the measure."""

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.selectors import HOW_TO_GET_PREMIUM, NoEntitlementReason
from helpdesk.demo import demo_seed
from helpdesk.kb.models import Article, ArticleFeedback, HelpQuestion
from helpdesk.kb.selectors import deflection_report
from helpdesk.kb.services import (
    COMMENT_TOO_LONG,
    FEEDBACK_NOT_ALLOWED,
    SUGGESTIONS_RATE_LIMITED,
    article_feedback_record,
)
from helpdesk.tickets.models import Ticket
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory
from tests.kb.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The demo users' passwords are hashed on every seed; the strong hasher is slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131 Safari/537.36"
MOBILE_APP = "PremiumDeskMobile/3.2 (iPhone; iOS 18)"


def _suggest(client, q, headers=None, **params):
    return client.get(reverse("article_suggest"), {"q": q, **params}, headers=headers)


def _ask(client, q, **params):
    """What the dialog sends: a POST, which also counts the question."""
    return client.post(reverse("article_suggest"), {"q": q, **params})


# ---- Suggestions -------------------------------------------------------------------


def test_suggestions_are_json_with_title_summary_link_and_an_announcement(client):
    ArticleFactory(slug="callback", title="Request a callback", summary="Call me back.")
    data = _suggest(client, "callback").json()
    assert data["results"] == [
        {
            "title": "Request a callback",
            "summary": "Call me back.",
            "language": "en",
            "slug": "callback",
            "url": "/kb/callback/",
        }
    ]
    assert data["announcement"].startswith("1 article suggested.")


# Longer questions and control characters are refused: tests/helpdesk/test_input_rule.py.
@pytest.mark.parametrize(
    "query", ["", "x" * 1000, "\u202e" + "x" * 999, "<img src=x onerror=alert(1)>", "' OR '1'='1"]
)
def test_odd_questions_get_a_json_answer(client, query):
    ArticleFactory(slug="safe", title="<b>Bold</b> & title")
    response = _suggest(client, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "<img" not in response.content.decode()


def test_article_titles_are_sent_as_data_not_html(client):
    ArticleFactory(slug="x", title="<img src=x onerror=alert(1)> callback")
    result = _suggest(client, "callback").json()["results"][0]
    # JSON escapes nothing HTML-wise: the dialog inserts it with textContent.
    assert result["title"] == "<img src=x onerror=alert(1)> callback"


def test_suggestions_follow_the_interface_language(client):
    ArticleFactory(slug="en", title="Premium callback", language="en")
    ArticleFactory(slug="fr", title="Rappel callback", language="fr")
    data = _suggest(client, "callback", headers={"accept-language": "fr"}).json()
    assert [r["url"] for r in data["results"]] == ["/kb/fr/", "/kb/en/"]
    assert data["announcement"].startswith("2 articles suggérés")


# ---- Article pages -----------------------------------------------------------------


def test_article_page_renders_markdown_safely_and_ends_with_the_vote(client):
    ArticleFactory(
        slug="safe", title="Safe", body="## Steps\n\n<script>alert(1)</script> [x](javascript:y)"
    )
    page = client.get(reverse("article_detail", args=["safe"])).content.decode()
    assert "<h3>Steps</h3>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert 'href="javascript' not in page.lower()
    assert page.index("Was this article helpful?") > page.index("Steps")


@pytest.mark.parametrize(
    "slug", ["does-not-exist", "<script>alert(1)</script>", "x" * 300, "%00", "'--"]
)
def test_unknown_article_slugs_get_a_friendly_not_found_page(client, slug):
    ArticleFactory(slug="exists", title="Does exist")
    response = client.get(f"/kb/{slug}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "not found" in page.lower()
    assert "<script>alert(1)" not in page


def test_unpublished_article_is_hidden_from_customers_but_previewed_by_staff(client):
    ArticleFactory(slug="draft", title="Draft", is_published=False)
    assert client.get("/kb/draft/").status_code == 404
    client.force_login(LeadFactory())
    response = client.get("/kb/draft/")
    assert response.status_code == 200 and "Draft: only staff" in response.content.decode()


def test_kb_index_lists_the_users_language_then_english_and_searches(client):
    ArticleFactory(slug="en", title="English article", language="en")
    ArticleFactory(slug="fr", title="Article français", language="fr")
    ArticleFactory(slug="ja", title="日本語の記事", language="ja")
    page = client.get(reverse("kb_index"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert page.index("Article français") < page.index("English article")
    assert "日本語の記事" not in page
    page = client.get(reverse("kb_index"), {"q": "<script>english"}).content.decode()
    assert "English article" in page and "<script>english" not in page


# ---- Votes ---------------------------------------------------------------------------


def test_one_vote_per_user_and_a_later_vote_replaces_it(client):
    article = ArticleFactory(slug="a")
    user = UserFactory()
    client.force_login(user)
    url = reverse("article_feedback", args=["a"])
    response = client.post(url, {"helpful": "yes", "comment": "Clear."})
    assert response.status_code == 302 and response["Location"] == "/kb/a/#feedback"
    client.post(url, {"helpful": "no", "comment": "Step 3 is outdated."})
    feedback = ArticleFeedback.objects.get()
    assert (feedback.article, feedback.user, feedback.helpful) == (article, user, False)
    assert feedback.comment == "Step 3 is outdated."
    page = client.get("/kb/a/").content.decode()
    assert "You said this article was not helpful." in page
    # Another user's vote is counted separately.
    client.force_login(UserFactory())
    client.post(url, {"helpful": "yes"})
    assert ArticleFeedback.objects.count() == 2


def test_feedback_creates_no_ticket(client):
    ArticleFactory(slug="a")
    client.force_login(SuperAdminFactory())
    client.post(reverse("article_feedback", args=["a"]), {"helpful": "no", "comment": "Help!"})
    assert ArticleFeedback.objects.count() == 1
    assert Ticket.objects.count() == 0


def test_voting_without_login_is_refused_and_counts_nothing(client):
    ArticleFactory(slug="a")
    response = client.post(reverse("article_feedback", args=["a"]), {"helpful": "yes"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert ArticleFeedback.objects.count() == 0


def test_voting_without_a_csrf_token_is_refused_and_counts_nothing():
    ArticleFactory(slug="a")
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post(reverse("article_feedback", args=["a"]), {"helpful": "yes"})
    assert response.status_code == 403
    assert ArticleFeedback.objects.count() == 0


def test_voting_by_get_is_refused(client):
    ArticleFactory(slug="a")
    client.force_login(UserFactory())
    assert (
        client.get(reverse("article_feedback", args=["a"]), {"helpful": "yes"}).status_code == 405
    )
    assert ArticleFeedback.objects.count() == 0


def test_staff_do_not_vote_and_bad_votes_are_rejected(client):
    article = ArticleFactory(slug="a")
    with pytest.raises(Exception, match=str(FEEDBACK_NOT_ALLOWED)):
        article_feedback_record(article=article, user=StaffFactory(), helpful=True)
    client.force_login(UserFactory())
    url = reverse("article_feedback", args=["a"])
    assert client.post(url, {"helpful": "maybe"}).status_code == 400
    assert client.post(url, {"helpful": "yes", "comment": "x" * 2001}).status_code == 400
    assert ArticleFeedback.objects.count() == 0
    with pytest.raises(Exception, match=str(COMMENT_TOO_LONG)):
        article_feedback_record(
            article=article, user=UserFactory(), helpful=True, comment="x" * 2001
        )


# ---- The channel chooser -------------------------------------------------------------


@pytest.fixture
def demo_users():
    with override_settings(DEBUG=True):
        demo_seed()


def _dialog(client, email=None, user_agent=BROWSER):
    if email:
        assert client.login(username=email, password="demo-pass-2026")
    page = client.get(reverse("kb_index"), HTTP_USER_AGENT=user_agent).content.decode()
    start = page.index('<dialog id="help-dialog"')
    return page[start : page.index("</dialog>", start)]


def _channels(dialog: str) -> list[str]:
    return re.findall(r'data-help-channel="(\w+)"', dialog)


def _steps(dialog: str) -> list[str]:
    return re.findall(r'class="help-step" data-step="(\w+)"', dialog)


@pytest.mark.parametrize("email", ["admin@acme.example", "user@acme.example"])
def test_acme_users_see_three_channels_the_english_notice_and_the_phone(client, demo_users, email):
    dialog = _dialog(client, email)
    assert _channels(dialog) == ["chat", "email", "phone"]
    assert _steps(dialog) == ["search", "channels", "chat", "email", "phone"]
    assert "Premium chat" in dialog and "Premium email support" in dialog
    assert "Premium phone support" in dialog
    assert "Chat live with a support specialist" in dialog
    assert "Premium support is provided in English only." in dialog
    assert 'href="tel:+18885550142"' in dialog


def test_basic_user_sees_no_channel_the_reason_and_how_to_get_premium(client, demo_users):
    dialog = _dialog(client, "user@basic.example")
    assert _channels(dialog) == []
    assert _steps(dialog) == ["search", "channels"]
    assert str(NoEntitlementReason.NO_PREMIUM_SUPPORT.label) in dialog
    assert escape(str(HOW_TO_GET_PREMIUM)) in dialog
    assert "tel:" not in dialog


def test_mobile_app_sees_the_knowledge_base_and_a_notice_but_no_channel(client, demo_users):
    dialog = _dialog(client, "admin@acme.example", user_agent=MOBILE_APP)
    assert _channels(dialog) == []
    assert _steps(dialog) == ["search", "channels"]
    assert "Premium support is not available in the mobile app" in dialog
    assert 'id="help-question"' in dialog


def test_anonymous_and_staff_see_why_and_no_channel(client, demo_users):
    dialog = _dialog(client)
    assert _channels(dialog) == [] and str(NoEntitlementReason.ANONYMOUS.label) in dialog
    dialog = _dialog(client, "agent@support.example")
    assert _channels(dialog) == [] and str(NoEntitlementReason.STAFF.label) in dialog


# ---- Deflection measure --------------------------------------------------------------


def test_a_question_an_opened_suggestion_and_contact_us_are_counted(client):
    ArticleFactory(slug="callback", title="Request a callback")
    key = str(uuid.uuid4())
    for partial in ("ca", "call", "callback"):
        data = _ask(client, partial, key=key).json()
    assert data["results"][0]["url"] == "/kb/callback/"
    question = HelpQuestion.objects.get()
    assert (question.question, question.result_count, question.language) == ("callback", 1, "en")

    assert client.get(data["results"][0]["url"]).status_code == 200
    response = client.post(reverse("help_article_opened"), {"key": key, "slug": "callback"})
    assert response.status_code == 204
    client.post(reverse("help_contact_reached"), {"key": key})
    question.refresh_from_db()
    assert question.opened_article.slug == "callback" and question.opened_at
    assert question.contacted_at
    assert HelpQuestion.objects.count() == 1


def test_a_client_asking_too_fast_is_refused_and_nothing_is_recorded(client, settings):
    settings.SUGGESTION_RATE_LIMIT_PER_MINUTE = 3
    ArticleFactory(slug="callback", title="Request a callback")
    for _ in range(3):
        assert _ask(client, "callback", key=str(uuid.uuid4())).status_code == 200
    refused = _ask(client, "callback", key=str(uuid.uuid4()))
    assert refused.status_code == 429
    assert refused.json() == {
        "results": [],
        "announcement": str(SUGGESTIONS_RATE_LIMITED),
        "retry": True,
    }
    assert refused["Retry-After"] == "60"
    assert HelpQuestion.objects.count() == 3
    # Another client (here a signed-in user) has its own allowance.
    other = Client(REMOTE_ADDR="127.0.0.1")
    other.force_login(UserFactory())
    assert _suggest(other, "callback").status_code == 200


def test_get_never_writes_the_deflection_report(client):
    """A link (or a prefetch) can neither create a question nor mark one opened."""
    ArticleFactory(slug="callback", title="Request a callback")
    key = str(uuid.uuid4())
    assert _suggest(client, "callback", key=key).json()["results"]
    assert not HelpQuestion.objects.exists()
    _ask(client, "callback", key=key)
    response = client.get(f"/kb/callback/?hq={key}")
    assert response.status_code == 302 and response["Location"] == "/kb/callback/"
    question = HelpQuestion.objects.get()
    assert question.opened_at is None and question.opened_article is None
    assert client.get(reverse("help_article_opened"), {"key": key}).status_code == 405


def test_deflection_events_need_the_csrf_token(client):
    ArticleFactory(slug="callback", title="Request a callback")
    strict = Client(enforce_csrf_checks=True)
    key = str(uuid.uuid4())
    assert strict.post(reverse("article_suggest"), {"q": "callback", "key": key}).status_code == 403
    opened = strict.post(reverse("help_article_opened"), {"key": key, "slug": "callback"})
    assert opened.status_code == 403
    assert strict.post(reverse("help_contact_reached"), {"key": key}).status_code == 403
    assert not HelpQuestion.objects.exists()


def test_contact_us_without_a_question_and_forged_keys(client):
    key = str(uuid.uuid4())
    assert client.post(reverse("help_contact_reached"), {"key": key}).status_code == 204
    assert client.post(reverse("help_contact_reached"), {"key": "nope"}).status_code == 400
    ArticleFactory(slug="a")
    # An unknown key in an article link creates nothing.
    client.get(f"/kb/a/?hq={uuid.uuid4()}")
    assert HelpQuestion.objects.get().question == ""


def test_weekly_deflection_report_counts_and_shares():
    now = timezone.now()
    article = ArticleFactory()

    def ask(days_ago, opened=False, contacted=False, question="q"):
        HelpQuestion.objects.create(
            key=uuid.uuid4(),
            question=question,
            asked_at=now - timedelta(days=days_ago),
            opened_article=article if opened else None,
            opened_at=now if opened else None,
            contacted_at=now if contacted else None,
        )

    ask(0, opened=True)
    ask(0, opened=True, contacted=True)
    ask(0, contacted=True)
    ask(0)
    ask(0, contacted=True, question="")
    ask(7 * 20)  # outside the 12 weeks
    report = deflection_report(weeks=12, now=now)
    assert len(report) == 12
    this_week = report[0]
    assert (this_week.questions, this_week.opened, this_week.contacted) == (4, 2, 2)
    assert this_week.contacted_without_question == 1
    assert this_week.opened_share == 0.5 and this_week.contacted_share == 0.5
    assert sum(week.questions for week in report) == 4


def test_leads_see_the_report_and_feedback_in_the_admin(client):
    article = ArticleFactory(slug="a", title="Rated article")
    ArticleFeedback.objects.create(
        article=article, user=UserFactory(), helpful=False, comment="Old"
    )
    client.force_login(LeadFactory())
    assert client.get(reverse("admin:kb_helpquestion_report")).status_code == 200
    page = client.get(reverse("admin:kb_article_changelist")).content.decode()
    assert "Rated article" in page
    assert "Old" in client.get(reverse("admin:kb_articlefeedback_changelist")).content.decode()
    assert client.get(reverse("admin:kb_article_add")).status_code == 200
    client.force_login(StaffFactory())
    assert client.get(reverse("admin:kb_helpquestion_report")).status_code == 403
    assert client.get(reverse("admin:kb_article_add")).status_code == 403


def test_demo_seed_has_twenty_articles_in_three_languages():
    with override_settings(DEBUG=True):
        demo_seed()
        demo_seed()
    assert Article.objects.count() >= 20
    languages = set(Article.objects.values_list("language", flat=True))
    assert languages == {"en", "fr", "ja"}


def test_seeding_again_keeps_a_leads_edits_of_a_demo_article():
    with override_settings(DEBUG=True):
        demo_seed()
        article = Article.objects.get(slug="how-premium-support-works")
        article.title = "Ask us to call you back"
        article.save()
        edited_at = Article.objects.get(pk=article.pk).updated_at
        demo_seed()  # `make run` seeds on every start
    article.refresh_from_db()
    assert article.title == "Ask us to call you back"
    assert article.updated_at == edited_at


def test_behind_a_proxy_each_anonymous_visitor_has_their_own_allowance(settings):
    settings.SUGGESTION_RATE_LIMIT_PER_MINUTE = 2
    ArticleFactory(slug="callback", title="Request a callback")

    def visitor(address):
        # Every request reaches the portal from the proxy's address, 127.0.0.1.
        return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)

    first, second = visitor("203.0.113.7"), visitor("198.51.100.4")
    # Without trusted proxies the header is ignored: a client cannot forge its way out.
    assert [_suggest(first, "callback").status_code for _ in range(2)] == [200, 200]
    assert _suggest(second, "callback").status_code == 429
    settings.TRUSTED_PROXIES = 1
    assert [_suggest(second, "callback").status_code for _ in range(3)] == [200, 200, 429]
    assert _suggest(first, "callback").status_code == 200
    # A forged entry on the left does not change who the proxy says the client is.
    forged = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.4")
    assert _suggest(forged, "callback").status_code == 429
