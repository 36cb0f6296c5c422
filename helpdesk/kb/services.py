"""Writes for the knowledge base: articles, votes, and the help dialog's measure."""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from helpdesk.core.ratelimit import rate_limit_take
from helpdesk.core.textclean import clean_line, clean_text, limit_message
from helpdesk.kb.models import Article, ArticleFeedback, HelpQuestion
from helpdesk.kb.permissions import can_delete_article, can_give_article_feedback

FEEDBACK_NOT_ALLOWED = gettext_lazy("Log in with a customer account to rate articles.")
FEEDBACK_ARTICLE_UNPUBLISHED = gettext_lazy("This article is not published.")
COMMENT_MAX = 2000
COMMENT_TOO_LONG = limit_message(
    gettext_lazy("Keep the comment to {limit} characters or fewer."), COMMENT_MAX
)
# What a customer may type into a search (the help dialog, the knowledge-base page);
# the first QUESTION_MAX characters are kept for the deflection report.
SEARCH_MAX = 1000
SEARCH_TOO_LONG = limit_message(
    gettext_lazy("Keep the question to {limit} characters or fewer."), SEARCH_MAX
)
QUESTION_MAX = 255
TITLE_MAX = 200
SUMMARY_MAX = 300
BODY_MAX = 100_000
TITLE_REQUIRED = gettext_lazy("Enter a title.")
TITLE_TOO_LONG = limit_message(
    gettext_lazy("Keep the title to {limit} characters or fewer."), TITLE_MAX
)
SUMMARY_REQUIRED = gettext_lazy("Enter a summary.")
SUMMARY_TOO_LONG = limit_message(
    gettext_lazy("Keep the summary to {limit} characters or fewer."), SUMMARY_MAX
)
BODY_REQUIRED = gettext_lazy("Write the article.")
BODY_TOO_LONG = limit_message(
    gettext_lazy("Keep the article to {limit} characters or fewer."), BODY_MAX
)
ARTICLE_DELETE_NOT_ALLOWED = gettext_lazy("Only leads may delete articles.")
SUGGESTIONS_RATE_LIMITED = gettext_lazy(
    "You are asking faster than we can answer. Wait a minute, then try again."
)
SUGGESTION_WINDOW_SECONDS = 60


def suggestion_allowance_take(*, client: str) -> bool:
    """Count one suggestion request for a client (a user or an address); False, and
    nothing counted, once it has had SUGGESTION_RATE_LIMIT_PER_MINUTE this minute."""
    limit = settings.SUGGESTION_RATE_LIMIT_PER_MINUTE
    window = SUGGESTION_WINDOW_SECONDS
    return rate_limit_take(scope="suggest", ident=client, limit=limit, window=window)


def article_text_clean(*, title: str, summary: str, body: str) -> tuple[str, str, str]:
    """An article's texts under the one input rule (the admin form uses the same)."""
    errors: dict[str, list[ValidationError]] = {}
    cleaned = []
    for field, value, clean, limit, required, too_long in (
        ("title", title, clean_line, TITLE_MAX, TITLE_REQUIRED, TITLE_TOO_LONG),
        ("summary", summary, clean_line, SUMMARY_MAX, SUMMARY_REQUIRED, SUMMARY_TOO_LONG),
        ("body", body, clean_text, BODY_MAX, BODY_REQUIRED, BODY_TOO_LONG),
    ):
        try:
            cleaned.append(
                clean(
                    value,
                    field=field,
                    max_length=limit,
                    required_message=required,
                    too_long_message=too_long,
                )
            )
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    title, summary, body = cleaned
    return title, summary, body


@transaction.atomic
def article_save(
    *,
    slug: str,
    title: str,
    summary: str,
    body: str,
    language: str = "en",
    is_published: bool = True,
    article: Article | None = None,
) -> Article:
    """Create or update an article (the search index follows): `article` when given (the
    admin's form, which may change the slug too), else the one with this slug."""
    title, summary, body = article_text_clean(title=title, summary=summary, body=body)
    if article is None:
        article = Article.objects.select_for_update().filter(slug=slug).first() or Article()
    article.slug = slug
    article.title, article.summary, article.body = title, summary, body
    article.language, article.is_published = language, is_published
    article.full_clean()
    article.save()
    return article


@transaction.atomic
def article_delete(*, article: Article, actor: User) -> None:
    """Retire an article, with its feedback; the search index follows (kb.signals). A
    help question that opened it keeps the question and loses the link."""
    if not can_delete_article(actor):
        raise PermissionDenied(ARTICLE_DELETE_NOT_ALLOWED)
    article.delete()


@transaction.atomic
def article_feedback_record(
    *, article: Article, user: User, helpful: bool, comment: str = ""
) -> ArticleFeedback:
    """The user's vote on an article; a later vote replaces the earlier one. Creates
    no ticket: feedback is about the documentation."""
    if not can_give_article_feedback(user):
        raise PermissionDenied(FEEDBACK_NOT_ALLOWED)
    if not article.is_published:
        raise ValidationError(FEEDBACK_ARTICLE_UNPUBLISHED)
    comment = clean_text(
        comment, field="comment", max_length=COMMENT_MAX, too_long_message=COMMENT_TOO_LONG
    )
    feedback, _created = ArticleFeedback.objects.update_or_create(
        article=article, user=user, defaults={"helpful": helpful, "comment": comment}
    )
    return feedback


def help_question_record(
    *, key: uuid.UUID, question: str, language: str, result_count: int
) -> None:
    """Remember the latest wording of the question asked in this dialog visit. A
    question the input rule refuses is not recorded: the search has answered it already,
    and a measure is not worth an error to the customer."""
    try:
        question = clean_line(question, max_length=None)[:QUESTION_MAX].rstrip()
    except ValidationError:
        return
    if not question:
        return
    updated = HelpQuestion.objects.filter(key=key).update(
        question=question, language=language[:8], result_count=min(result_count, 1000)
    )
    if not updated:
        # A concurrent first request for the same key loses the race harmlessly.
        HelpQuestion.objects.bulk_create(
            [
                HelpQuestion(
                    key=key, question=question, language=language[:8], result_count=result_count
                )
            ],
            ignore_conflicts=True,
        )


def help_question_article_opened(*, key: uuid.UUID, article: Article) -> bool:
    """A suggestion was opened. Only the first article opened counts; a key that asked
    nothing creates nothing."""
    return bool(
        HelpQuestion.objects.filter(key=key, opened_at__isnull=True)
        .exclude(question="")
        .update(opened_article=article, opened_at=timezone.now())
    )


def help_question_contact_reached(*, key: uuid.UUID, language: str) -> None:
    """Contact us was reached in this dialog visit (with or without a question)."""
    now = timezone.now()
    if HelpQuestion.objects.filter(key=key).exists():
        HelpQuestion.objects.filter(key=key, contacted_at__isnull=True).update(contacted_at=now)
        return
    HelpQuestion.objects.bulk_create(
        [HelpQuestion(key=key, question="", language=language[:8], contacted_at=now)],
        ignore_conflicts=True,
    )
