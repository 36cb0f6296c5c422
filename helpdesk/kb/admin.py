"""Knowledge base in the admin: articles with their votes, feedback, and the weekly
deflection report for leads."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.core.adminforms import ServiceModelAdmin
from helpdesk.kb import services
from helpdesk.kb.forms import ArticleAdminForm
from helpdesk.kb.models import Article, ArticleFeedback, HelpQuestion
from helpdesk.kb.permissions import can_view_deflection_report
from helpdesk.kb.selectors import deflection_report


class ReadOnlyAdminMixin:
    """What customers said and asked is a record leads read: nobody edits or deletes it
    in the admin (it goes when its article does)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ArticleFeedbackInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ArticleFeedback
    fields = ("helpful", "comment", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("Feedback from customers")


@admin.register(Article)
class ArticleAdmin(ServiceModelAdmin):
    form = ArticleAdminForm
    list_display = ("title", "language", "is_published", "helpful_yes", "helpful_no", "updated_at")
    list_filter = ("language", "is_published")
    search_fields = ("title", "summary", "slug")
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "language", "summary", "body", "is_published")
    inlines = (ArticleFeedbackInline,)

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                yes_count=Count("feedback", filter=Q(feedback__helpful=True)),
                no_count=Count("feedback", filter=Q(feedback__helpful=False)),
            )
        )

    def delete_object(self, *, obj: Article, actor: User) -> None:
        services.article_delete(article=obj, actor=actor)

    def get_deleted_objects(self, objs, request):
        """Feedback goes with its article (`article_delete`): the right to delete the
        article is all it takes, though nobody deletes feedback on its own."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(ArticleFeedback._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    @admin.display(description=_("helpful"), ordering="yes_count")
    def helpful_yes(self, obj: Article) -> int:
        return obj.yes_count

    @admin.display(description=_("not helpful"), ordering="no_count")
    def helpful_no(self, obj: Article) -> int:
        return obj.no_count


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("article", "helpful", "short_comment", "updated_at")
    list_filter = ("helpful", "article__language")
    search_fields = ("article__title", "comment")
    list_select_related = ("article",)
    fields = ("article", "helpful", "comment", "created_at", "updated_at")
    readonly_fields = fields

    @admin.display(description=_("comment"))
    def short_comment(self, obj: ArticleFeedback) -> str:
        return obj.comment if len(obj.comment) <= 80 else obj.comment[:79] + "…"


@admin.register(HelpQuestion)
class HelpQuestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "language",
        "result_count",
        "asked_at",
        "opened_article",
        "contacted_at",
    )
    list_filter = (
        "language",
        ("opened_at", admin.EmptyFieldListFilter),
        ("contacted_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("question",)
    date_hierarchy = "asked_at"
    list_select_related = ("opened_article",)
    fields = (
        "question",
        "language",
        "result_count",
        "asked_at",
        "opened_article",
        "opened_at",
        "contacted_at",
    )
    readonly_fields = fields
    change_list_template = "admin/kb/helpquestion/change_list.html"

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        return [path("report/", report, name="kb_helpquestion_report"), *super().get_urls()]

    def report_view(self, request: HttpRequest) -> TemplateResponse:
        if not can_view_deflection_report(request.user):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/kb/deflection_report.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Deflection report"),
                "opts": self.model._meta,
                "weeks": deflection_report(weeks=12),
                "questions_url": reverse("admin:kb_helpquestion_changelist"),
            },
        )
