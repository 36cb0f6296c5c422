from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Live chat")

    def ready(self) -> None:
        from accounts.assignment import on_availability_register
        from chat import signals
        from chat.activity import register_activity
        from chat.conversations import conversations_register
        from chat.inbox import register_inbox
        from chat.permissions import staff_permissions_register
        from chat.services.presence import presence_follow_availability
        from chat.sla_targets import register

        signals.connect()
        register()
        on_availability_register(presence_follow_availability)
        conversations_register()
        staff_permissions_register()
        register_activity()
        register_inbox()
