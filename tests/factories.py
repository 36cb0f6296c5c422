from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Account, Hub, PremiumSupportPurchase, Role, Subscription, Tier, User
from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP

PASSWORD = "correct-horse-battery"


class AccountFactory(DjangoModelFactory[Account]):
    class Meta:
        model = Account
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Customer {n} Inc")
    country = "US"


class SubscriptionFactory(DjangoModelFactory[Subscription]):
    class Meta:
        model = Subscription

    account = factory.SubFactory(AccountFactory)
    hub = Hub.SERVICE
    tier = Tier.ENTERPRISE
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=335))


class PremiumSupportPurchaseFactory(DjangoModelFactory[PremiumSupportPurchase]):
    class Meta:
        model = PremiumSupportPurchase

    account = factory.SubFactory(AccountFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=335))


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    account = factory.SubFactory(AccountFactory)
    role = Role.REGULAR
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class PremiumAccountFactory(AccountFactory):
    """An account entitled to premium support: Enterprise hub plus an active purchase."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def premium(self, create, extracted, **kwargs):
        if create:
            SubscriptionFactory(account=self)
            PremiumSupportPurchaseFactory(account=self)


class SuperAdminFactory(UserFactory):
    account = factory.SubFactory(PremiumAccountFactory)
    role = Role.SUPER_ADMIN


class StaffFactory(UserFactory):
    account = None
    role = ""
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=extracted or SPECIALISTS_GROUP))


class LeadFactory(StaffFactory):
    groups = factory.PostGeneration(
        lambda obj, create, extracted, **kw: obj.groups.add(Group.objects.get(name=LEADS_GROUP))
    )


def ticket_for(user: User, **kwargs) -> "Ticket":  # noqa: F821
    """A ticket submitted through the real service (deadline computed as in production)."""
    from helpdesk.tickets.models import TicketChannel
    from helpdesk.tickets.services import ticket_create

    return ticket_create(
        requester=user,
        channel=kwargs.pop("channel", TicketChannel.EMAIL),
        subject=kwargs.pop("subject", "Cannot export reports"),
        description=kwargs.pop("description", "The export button spins forever."),
        business_critical=kwargs.pop("business_critical", False),
        **kwargs,
    )
