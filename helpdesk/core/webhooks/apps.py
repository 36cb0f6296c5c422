from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "helpdesk.core.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # Registers the outbox handlers in every process.
        from helpdesk.core.webhooks import delivery  # noqa: F401
