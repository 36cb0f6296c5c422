"""Articles in the admin are deleted by `article_delete`; what customers said and asked
is read there, never deleted on its own."""

import uuid

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from helpdesk.kb import services
from helpdesk.kb.models import Article, ArticleFeedback, HelpQuestion
from tests.factories import LeadFactory, StaffFactory, UserFactory
from tests.kb.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _rated_article() -> Article:
    article = ArticleFactory()
    ArticleFeedback.objects.create(article=article, user=UserFactory(), helpful=True)
    return article


def test_a_lead_deletes_a_rated_article_with_its_feedback(client):
    article = _rated_article()
    lead = LeadFactory()
    client.force_login(lead)
    url = reverse("admin:kb_article_delete", args=[article.pk])
    page = client.get(url).content.decode()
    assert "Are you sure" in page  # not "Cannot delete": the feedback goes with it
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not ArticleFeedback.objects.exists()
    assert LogEntry.objects.filter(object_id=str(article.pk), user=lead).exists()


def test_a_forged_article_deletion_by_a_specialist_is_refused(client):
    article = ArticleFactory()
    specialist = StaffFactory()
    client.force_login(specialist)
    url = reverse("admin:kb_article_delete", args=[article.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:kb_article_changelist"),
        {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
    )
    assert Article.objects.filter(pk=article.pk).exists()
    with pytest.raises(PermissionDenied, match=str(services.ARTICLE_DELETE_NOT_ALLOWED)):
        services.article_delete(article=article, actor=specialist)


def test_nobody_deletes_feedback_or_questions_in_the_admin(client):
    feedback = _rated_article().feedback.get()
    question = HelpQuestion.objects.create(key=uuid.uuid4(), question="How do I reset it?")
    client.force_login(UserFactory(account=None, role="", is_staff=True, is_superuser=True))
    for name, row in (("articlefeedback", feedback), ("helpquestion", question)):
        delete = reverse(f"admin:kb_{name}_delete", args=[row.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        client.post(
            reverse(f"admin:kb_{name}_changelist"),
            {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
        )
    assert ArticleFeedback.objects.filter(pk=feedback.pk).exists()
    assert HelpQuestion.objects.filter(pk=question.pk).exists()
