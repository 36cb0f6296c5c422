from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    """The project package as an app: it holds no models any more (tickets, callbacks and
    the knowledge base are apps of their own) but keeps the migrations that created their
    tables, the demo seed, the runportal command, the template tags and the audit admin."""

    name = "helpdesk"
    verbose_name = _("Help desk")
