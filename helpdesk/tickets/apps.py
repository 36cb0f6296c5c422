from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "helpdesk.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from helpdesk.tickets.conversations import conversations_register
        from helpdesk.tickets.inbox import register_inbox
        from helpdesk.tickets.permissions import staff_permissions_register
        from helpdesk.tickets.sla_targets import register

        register()
        conversations_register()
        staff_permissions_register()
        register_inbox()
