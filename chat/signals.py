"""Close or re-check a user's sockets when their standing changes, whatever the path
(admin, services, a password reset, the shell's save()). The handlers only queue an event
for after the commit; the consumers do the checking (accounts.selectors.socket_access).
A bulk queryset update sends no signal: the sockets' periodic re-check
(CHAT_ACCESS_RECHECK_SECONDS) catches that one."""

from django.contrib.auth import user_logged_out
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import PremiumSupportPurchase, Subscription, User
from chat.services import account_access_recheck, user_access_recheck, user_sockets_close

# What a socket's access depends on; "password" because a new one ends other sessions.
RIGHTS_FIELDS = ("is_active", "is_staff", "is_superuser", "role", "account_id", "password")


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        user_sockets_close(user_id=user.pk)


def _user_saving(sender, instance: User, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {f.removesuffix("_id") for f in update_fields} & {
        f.removesuffix("_id") for f in RIGHTS_FIELDS
    }:
        return  # e.g. last_login on every login: nothing to check, no extra query
    instance._rights_before = (  # type: ignore[attr-defined]
        User.objects.filter(pk=instance.pk).values(*RIGHTS_FIELDS).first()
    )


def _user_saved(sender, instance: User, created: bool, raw: bool = False, **kwargs) -> None:
    before = instance.__dict__.pop("_rights_before", None)
    if created or raw or before is None:
        return
    if not instance.is_active:
        user_sockets_close(user_id=instance.pk)
    elif any(before[f] != getattr(instance, f) for f in RIGHTS_FIELDS):
        user_access_recheck(user_id=instance.pk)


def _groups_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """A user joined or left Specialists/Leads (from either side of the relation)."""
    if action == "pre_clear" and reverse:
        instance._members_before = list(instance.user_set.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        user_access_recheck(user_id=instance.pk)
        return
    ids = pk_set if action != "post_clear" else instance.__dict__.pop("_members_before", [])
    for user_id in ids or ():
        user_access_recheck(user_id=user_id)


def _user_deleted(sender, instance: User, **kwargs) -> None:
    user_sockets_close(user_id=instance.pk)


def _group_saved(sender, instance: Group, created: bool, **kwargs) -> None:
    """A renamed group: staff rights are given by the group's name."""
    if not created:
        for user_id in instance.user_set.values_list("pk", flat=True):
            user_access_recheck(user_id=user_id)


def _device_saved(sender, instance, **kwargs) -> None:
    """A device confirmed (or changed): sessions verified by none of the user's devices
    may now owe the second factor."""
    if instance.user_id:
        user_access_recheck(user_id=instance.user_id)


def _group_deleting(sender, instance: Group, **kwargs) -> None:
    for user_id in instance.user_set.values_list("pk", flat=True):
        user_access_recheck(user_id=user_id)


def _device_removed(sender, instance, **kwargs) -> None:
    """A second-factor device was removed: sessions it verified lose staff access."""
    if instance.user_id:
        user_access_recheck(user_id=instance.user_id)


def _plan_changed(sender, instance, **kwargs) -> None:
    account_access_recheck(account_id=instance.account_id)


def connect() -> None:
    user_logged_out.connect(_logged_out, dispatch_uid="chat.logged_out")
    pre_save.connect(_user_saving, sender=User, dispatch_uid="chat.user_saving")
    post_save.connect(_user_saved, sender=User, dispatch_uid="chat.user_saved")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="chat.groups")
    post_delete.connect(_user_deleted, sender=User, dispatch_uid="chat.user_deleted")
    pre_delete.connect(_group_deleting, sender=Group, dispatch_uid="chat.group_deleting")
    post_save.connect(_group_saved, sender=Group, dispatch_uid="chat.group_saved")
    for device in (TOTPDevice, StaticDevice):
        post_delete.connect(
            _device_removed, sender=device, dispatch_uid=f"chat.{device.__name__}.removed"
        )
        post_save.connect(
            _device_saved, sender=device, dispatch_uid=f"chat.{device.__name__}.saved"
        )
    for model in (PremiumSupportPurchase, Subscription):
        post_save.connect(_plan_changed, sender=model, dispatch_uid=f"chat.{model.__name__}.save")
        post_delete.connect(
            _plan_changed, sender=model, dispatch_uid=f"chat.{model.__name__}.delete"
        )
