"""The admin site's own settings; each app registers its models in its admin.py, and the
audit log's admin (helpdesk/audit_admin.py) replaces auditlog's."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from helpdesk import audit_admin  # noqa: F401 - registers the audit log's admin

admin.site.site_header = _("Premium Desk administration")
admin.site.site_title = _("Premium Desk admin")
admin.site.index_title = _("Support desk")
# The ticket list needs the full width for its SLA columns.
admin.site.enable_nav_sidebar = False
