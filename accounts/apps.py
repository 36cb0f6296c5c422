from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Customers and staff")

    def ready(self) -> None:
        # Staff groups hold permissions of every app, so keep them in step after each migrate.
        post_migrate.connect(_ensure_staff_groups, dispatch_uid="accounts.staff_groups")
        from accounts import audit, signals

        signals.connect()
        audit.register()


def _ensure_staff_groups(sender, using: str = "default", **kwargs) -> None:
    from accounts.services import staff_groups_ensure

    staff_groups_ensure(using=using)
