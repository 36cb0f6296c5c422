"""Staff keep their personal API tokens in the admin: each sees only theirs (superusers
every token, to revoke). A new token is shown once, on the page that answers the add
form; it is never stored, nor put in a message cookie."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.api import services
from helpdesk.api.models import ApiToken
from helpdesk.core.adminforms import ServiceChangeForm, ServiceModelAdmin


class ApiTokenAddForm(ServiceChangeForm):
    plain = ""

    class Meta:
        model = ApiToken
        fields = ("name", "scope")

    def apply(self, *, actor: Any) -> list[str]:
        self.instance, self.plain = services.api_token_create(
            user=actor, name=self.cleaned_data["name"], scope=self.cleaned_data["scope"]
        )
        return []


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceModelAdmin):
    form = ApiTokenAddForm
    list_display = ("name", "prefix", "scope", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    readonly_fields = ("user", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        tokens = super().get_queryset(request).select_related("user")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return ["name", "scope"]
        return ["name", "scope", *self.readonly_fields]

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # revoke and make a new one; a token's scope never widens

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # revoked tokens stay, with their last use, for the record

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        request.api_token_plain = form.plain  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Your new API token"),
            "token": obj,
            "plain": getattr(request, "api_token_plain", ""),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/api/token_created.html", context, status=201)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
