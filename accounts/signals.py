"""Cache upkeep only: business rules never live in signals."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from accounts.models import PremiumSupportPurchase, Subscription
from accounts.selectors import entitlement_cache_key


def _forget_entitlement(sender, instance, **kwargs) -> None:
    cache.delete(entitlement_cache_key(instance.account_id))


def connect() -> None:
    for model in (PremiumSupportPurchase, Subscription):
        uid = f"accounts.entitlement.{model.__name__}"
        post_save.connect(_forget_entitlement, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_forget_entitlement, sender=model, dispatch_uid=uid + ".delete")
