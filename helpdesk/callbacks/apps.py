from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "helpdesk.callbacks"
    label = "callbacks"
    verbose_name = _("Callbacks")

    def ready(self) -> None:
        from helpdesk.callbacks.activity import register_activity
        from helpdesk.callbacks.conversations import conversations_register
        from helpdesk.callbacks.inbox import register_inbox
        from helpdesk.callbacks.permissions import staff_permissions_register
        from helpdesk.callbacks.sla_targets import register

        register()
        conversations_register()
        staff_permissions_register()
        register_activity()
        register_inbox()
