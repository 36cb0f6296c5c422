from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Help desk"

    def ready(self) -> None:
        from helpdesk import callbacks
        from helpdesk.sla_targets import register

        register()
        callbacks.register()
        from helpdesk.kb import signals  # noqa: F401 - connects the search index signals
