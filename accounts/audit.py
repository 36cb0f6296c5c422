"""The audit log of security-relevant changes (django-auditlog): what accounts records.

auditlog's signals write an entry for each change to a registered model's audited fields,
with the actor and client address that the request's middleware (helpdesk.core.audit) put in
its context. Two changes are not field changes and are written explicitly here: a password
set by someone else (never with the hash) and a login lockout lifted."""

from typing import Any

from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import PremiumSupportPurchase, Subscription, User

# What decides a user's rights. Never the password hash; not last_login (every login)
# nor profile fields (name, phone, time zone).
USER_AUDITED_FIELDS = ["email", "role", "account", "is_active", "is_staff", "is_superuser"]
USER_AUDITED_M2M = {"groups", "user_permissions"}


class AuditEvent(models.TextChoices):
    """Entries that are not a plain field change; stored as additional_data["event"]."""

    PASSWORD_SET = "password_set", _("Password set by another user")
    PASSWORD_DISABLED = "password_disabled", _("Password login disabled by another user")
    LOCKOUT_LIFTED = "lockout_lifted", _("Login lockout lifted")


# Outside any request (a management command, the shell, a worker) the system acts.
_SYSTEM = object()


def own_fields(model: type[models.Model]) -> list[str]:
    """The model's own columns but the id: auditlog would otherwise log a new row's
    reverse relations too (as "app.Model.None")."""
    return [field.name for field in model._meta.concrete_fields if not field.primary_key]


def audit_record(
    *,
    instance: models.Model,
    changes: dict[str, Any],
    action: int = LogEntry.Action.UPDATE,
    actor: User | None = None,
    object_repr: str | None = None,
    **details: Any,
) -> LogEntry:
    """Write one audit entry explicitly. `changes` maps field names to [old, new] as
    auditlog stores them; `details` (a reason, an event) go to additional_data. Without
    `actor`, the request's user and address are filled in by auditlog's middleware."""
    extra: dict[str, Any] = {}
    if actor is not None:
        extra.update(actor=actor, actor_email=actor.email)
    if object_repr is not None:
        extra["object_repr"] = object_repr
    return LogEntry.objects.log_create(
        instance, action=action, changes=changes, additional_data=details or None, **extra
    )


def _acting_user() -> Any:
    """The user of the current request as auditlog's middleware saw it (None when
    anonymous), or _SYSTEM outside any request."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return _SYSTEM
    return context.get("actor") if context else _SYSTEM


def _password_compare(
    sender: type[User], instance: User, raw: bool = False, update_fields=None, **kwargs
) -> None:
    """Note, before the save, whether someone other than the user is changing the
    password. A user's own change is not recorded: their own form while logged in, a
    reset by emailed link, or the hash upgraded at login (both anonymous requests)."""
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    actor = _acting_user()
    if actor is None or (actor is not _SYSTEM and actor.pk == instance.pk):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True)
    if stored.first() not in (None, instance.password):
        instance._audit_password_set = True


def _password_record(sender, instance: User, **kwargs) -> None:
    if instance.__dict__.pop("_audit_password_set", False):
        usable = instance.has_usable_password()
        event = AuditEvent.PASSWORD_SET if usable else AuditEvent.PASSWORD_DISABLED
        audit_record(instance=instance, changes={}, event=event.value)


def _lockout_lifted(sender, instance: AccessAttempt, **kwargs) -> None:
    """A deleted attempt row whose lockout was still in force: someone lifted it (a
    superuser in the admin, a password reset). Rows below the limit or past the
    cool-off (axes cleans those up itself) lift nothing."""
    failures = instance.failures_since_start
    if not isinstance(failures, int) or failures < get_failure_limit(None, None):
        return
    cool_off = get_cool_off()
    if cool_off is not None and instance.attempt_time + cool_off <= timezone.now():
        return
    audit_record(
        instance=instance,
        action=LogEntry.Action.DELETE,
        object_repr=f"{instance.username} ({instance.ip_address})",
        changes={"failures_since_start": [str(failures), "None"]},
        event=AuditEvent.LOCKOUT_LIFTED.value,
        username=instance.username,
        ip_address=instance.ip_address,
    )


def register() -> None:
    auditlog.register(User, include_fields=USER_AUDITED_FIELDS, m2m_fields=USER_AUDITED_M2M)
    auditlog.register(Group, include_fields=["name"], m2m_fields={"permissions"})
    for model in (Subscription, PremiumSupportPurchase):
        auditlog.register(model, include_fields=own_fields(model))
    pre_save.connect(_password_compare, sender=User, dispatch_uid="accounts.audit.password")
    post_save.connect(_password_record, sender=User, dispatch_uid="accounts.audit.password")
    post_delete.connect(
        _lockout_lifted, sender=AccessAttempt, dispatch_uid="accounts.audit.lockout"
    )
