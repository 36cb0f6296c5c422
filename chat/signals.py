"""Close or re-check chat sockets when a user's standing changes. The handlers only
queue an event for after the commit; the consumers do the checking."""

from django.contrib.auth import user_logged_out
from django.db.models.signals import post_delete, post_save

from accounts.models import PremiumSupportPurchase, Subscription, User
from chat.services import account_access_recheck, user_sockets_close


def _logged_out(sender, request, user, **kwargs) -> None:  # noqa: ANN001, ANN003
    if user is not None:
        user_sockets_close(user_id=user.pk)


def _user_saved(sender, instance: User, created: bool, **kwargs) -> None:  # noqa: ANN001, ANN003
    if not created and not instance.is_active:
        user_sockets_close(user_id=instance.pk)


def _plan_changed(sender, instance, **kwargs) -> None:  # noqa: ANN001, ANN003
    account_access_recheck(account_id=instance.account_id)


def connect() -> None:
    user_logged_out.connect(_logged_out, dispatch_uid="chat.logged_out")
    post_save.connect(_user_saved, sender=User, dispatch_uid="chat.user_saved")
    for model in (PremiumSupportPurchase, Subscription):
        post_save.connect(_plan_changed, sender=model, dispatch_uid=f"chat.{model.__name__}.save")
        post_delete.connect(
            _plan_changed, sender=model, dispatch_uid=f"chat.{model.__name__}.delete"
        )
