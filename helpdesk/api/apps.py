from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "helpdesk.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from helpdesk.api import schema  # noqa: F401  (the schema's authentication extensions)
        from helpdesk.api.permissions import staff_permissions_register

        staff_permissions_register()
