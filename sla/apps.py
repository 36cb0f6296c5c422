from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("SLA")

    def ready(self) -> None:
        from sla import audit, signals
        from sla.permissions import staff_permissions_register

        signals.connect()
        audit.register()
        staff_permissions_register()
