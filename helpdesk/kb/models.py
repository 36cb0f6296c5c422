"""Knowledge base and the help dialog's deflection measure (PRODUCT.md §2). The tables
keep the names they had in the `helpdesk` app; the search index (helpdesk/kb/search.py)
is raw SQL on helpdesk_article."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.core.textclean import StrOrPromise


def article_language_choices() -> list[tuple[str, StrOrPromise]]:
    """The portal's interface languages; a callable so migrations do not copy them."""
    return list(settings.LANGUAGES)


class Article(models.Model):
    """A knowledge-base article, written in Markdown in one language."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The article's address: lower-case letters, digits and hyphens."),
    )
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One or two sentences shown in suggestions.")
    )
    body = models.TextField(
        _("body"), help_text=_("Markdown. Raw HTML is not allowed and is shown as text.")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=article_language_choices, default="en"
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "helpdesk_article"
        ordering = ["title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["language", "is_published"], name="article_language_published")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("article_detail", kwargs={"slug": self.slug})


class ArticleFeedback(models.Model):
    """A user's answer to "Was this article helpful?". One per user and article: a later
    vote replaces the earlier one. About documentation only; it never opens a ticket."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_feedback"
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("first voted"), default=timezone.now)
    updated_at = models.DateTimeField(_("last voted"), auto_now=True)

    class Meta:
        db_table = "helpdesk_articlefeedback"
        ordering = ["-updated_at"]
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="feedback_one_vote_per_user")
        ]

    def __str__(self) -> str:
        return f"{'Yes' if self.helpful else 'No'} on {self.article}"


class HelpQuestion(models.Model):
    """One "Ask a question" in the help dialog, and how it ended: an article opened,
    Contact us reached, both or neither. Holds the question and nothing about who asked."""

    # Random id made by the dialog when it opens; later events of the same visit find
    # the row with it.
    key = models.UUIDField(_("visit key"), unique=True, editable=False)
    question = models.CharField(_("question"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    result_count = models.PositiveSmallIntegerField(_("suggestions shown"), default=0)
    asked_at = models.DateTimeField(_("asked"), default=timezone.now, db_index=True)
    opened_article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("article opened"),
    )
    opened_at = models.DateTimeField(_("article opened at"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("contact us reached at"), null=True, blank=True)

    class Meta:
        db_table = "helpdesk_helpquestion"
        ordering = ["-asked_at"]
        verbose_name = _("help question")
        verbose_name_plural = _("help questions")

    def __str__(self) -> str:
        return self.question or "(Contact us without a question)"
