from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "helpdesk.core.outbox"
    label = "outbox"
    verbose_name = _("Outgoing deliveries")
