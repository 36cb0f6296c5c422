from importlib import import_module

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Customers and staff")

    def ready(self) -> None:
        # Staff groups hold permissions of every app, so keep them in step after each migrate.
        post_migrate.connect(_ensure_staff_groups, dispatch_uid="accounts.staff_groups")
        from accounts import audit, signals
        from accounts.permissions import staff_permissions_register

        signals.connect()
        audit.register()
        # Registers the outbox handlers of account emails in every process.
        import_module("accounts.notifications")
        staff_permissions_register()


def _ensure_staff_groups(sender, app_config, using: str = "default", **kwargs) -> None:
    # post_migrate comes once per app, in INSTALLED_APPS order, each creating its app's
    # permissions: the groups, which hold permissions of every app, are set after the last.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if app_config is not with_models[-1]:
        return
    from accounts.services import staff_groups_ensure

    staff_groups_ensure(using=using)
