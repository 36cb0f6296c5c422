from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CsatConfig(AppConfig):
    name = "helpdesk.csat"
    label = "csat"
    verbose_name = _("Customer satisfaction")

    def ready(self) -> None:
        from helpdesk.csat.permissions import staff_permissions_register

        staff_permissions_register()
