from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Help desk")

    def ready(self) -> None:
        from helpdesk import callbacks
        from helpdesk.sla_targets import register

        register()
        callbacks.register()
        from helpdesk.kb import signals  # noqa: F401 - connects the search index signals
