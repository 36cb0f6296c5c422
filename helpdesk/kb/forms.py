from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminTextareaWidget, AdminTextInputWidget
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.core.adminforms import ServiceChangeForm
from helpdesk.core.textclean import CleanCharField
from helpdesk.kb import services
from helpdesk.kb.models import Article


class ArticleFeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda value: value == "yes"
    )
    comment = CleanCharField(
        label=_("Anything we should add or fix? (optional)"),
        multiline=True,
        required=False,
        max_length=services.COMMENT_MAX,
        error_messages={"too_long": services.COMMENT_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuestionForm(forms.Form):
    """A search of the knowledge base (the help dialog's question, the search page)."""

    q = CleanCharField(
        required=False,
        max_length=services.SEARCH_MAX,
        error_messages={"too_long": services.SEARCH_TOO_LONG},
    )


class HelpKeyForm(forms.Form):
    key = forms.UUIDField()


def _article_field(name: str, **kwargs: Any) -> CleanCharField:
    field = Article._meta.get_field(name)
    assert isinstance(field, models.Field)
    return CleanCharField(label=field.verbose_name, help_text=field.help_text, **kwargs)


class ArticleAdminForm(ServiceChangeForm):
    """Articles in the admin: the same input rule and limits as `article_save`, which
    saves them."""

    title = _article_field(
        "title",
        widget=AdminTextInputWidget,
        max_length=services.TITLE_MAX,
        error_messages={"required": services.TITLE_REQUIRED, "too_long": services.TITLE_TOO_LONG},
    )
    summary = _article_field(
        "summary",
        widget=AdminTextInputWidget,
        max_length=services.SUMMARY_MAX,
        error_messages={
            "required": services.SUMMARY_REQUIRED,
            "too_long": services.SUMMARY_TOO_LONG,
        },
    )
    body = _article_field(
        "body",
        multiline=True,
        widget=AdminTextareaWidget,
        max_length=services.BODY_MAX,
        error_messages={"required": services.BODY_REQUIRED, "too_long": services.BODY_TOO_LONG},
    )

    class Meta:
        model = Article
        fields = ("title", "slug", "language", "summary", "body", "is_published")

    def apply(self, *, actor: User) -> list[str]:
        data = self.cleaned_data
        services.article_save(
            article=self.instance,
            slug=data["slug"],
            title=data["title"],
            summary=data["summary"],
            body=data["body"],
            language=data["language"],
            is_published=data["is_published"],
        )
        return []
