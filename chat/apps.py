from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Live chat")

    def ready(self) -> None:
        from chat import signals
        from chat.activity import register_activity
        from chat.permissions import staff_permissions_register
        from chat.sla_targets import register

        signals.connect()
        register()
        staff_permissions_register()
        register_activity()
