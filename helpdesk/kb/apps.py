from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "helpdesk.kb"
    label = "kb"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from helpdesk.kb import signals  # noqa: F401 - connects the search index signals
        from helpdesk.kb.permissions import staff_permissions_register

        staff_permissions_register()
