"""The admin site's own settings; each app registers its models in its admin.py, and the
audit log's admin (helpdesk/audit_admin.py) replaces auditlog's."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from helpdesk import audit_admin  # noqa: F401 - registers the audit log's admin

admin.site.site_header = _("Premium Desk administration")
admin.site.site_title = _("Premium Desk admin")
admin.site.index_title = _("Support desk")
# The ticket list needs the full width for its SLA columns.
admin.site.enable_nav_sidebar = False

_admin_login = admin.site.login


def _login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin's login lands on `home` when no page was asked for: the inbox for
    specialists and leads (helpdesk/inbox.py), the admin index for other staff."""
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        extra_context = {**(extra_context or {}), REDIRECT_FIELD_NAME: reverse("home")}
    return _admin_login(request, extra_context)


admin.site.login = _login  # type: ignore[method-assign]
