"""Demo data for `manage.py seed_demo` (and `make run`). Idempotent: safe to run twice."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Hub, PremiumSupportPurchase, Role, Subscription, Tier, User
from accounts.permissions import LEADS_GROUP, SPECIALISTS_GROUP
from accounts.services import (
    customer_user_create,
    staff_groups_ensure,
    staff_user_create,
)

DEMO_PASSWORD = "demo-pass-2026"

DEMO_CUSTOMERS = (
    ("admin@acme.example", "Ada Admin", "Acme Corp", Role.SUPER_ADMIN, "+1 415 555 0101"),
    ("user@acme.example", "Ulysses User", "Acme Corp", Role.REGULAR, "+1 415 555 0102"),
    ("user@basic.example", "Bea Basic", "Basic Co", Role.REGULAR, "+44 20 7946 0958"),
)
DEMO_STAFF = (
    ("agent@support.example", "Sam Specialist", SPECIALISTS_GROUP),
    ("lead@support.example", "Lee Lead", LEADS_GROUP),
)


def _account(name: str, country: str, plan: list[tuple[Hub, Tier]], premium: bool) -> Account:
    account, _ = Account.objects.get_or_create(name=name, defaults={"country": country})
    start = timezone.now() - timedelta(days=180)
    for hub, tier in plan:
        Subscription.objects.get_or_create(
            account=account,
            hub=hub,
            defaults={"tier": tier, "starts_at": start, "ends_at": start + timedelta(days=730)},
        )
    if premium and not account.premium_support_purchases.exists():
        PremiumSupportPurchase.objects.create(
            account=account,
            starts_at=start,
            ends_at=start + timedelta(days=730),
            reference="PS-ACME-2026",
        )
    return account


@transaction.atomic
def demo_seed() -> list[tuple[str, str]]:
    """Create the demo accounts and users; returns (email, what they are) for display."""
    staff_groups_ensure()
    accounts = {
        "Acme Corp": _account(
            "Acme Corp", "US", [(Hub.SERVICE, Tier.ENTERPRISE), (Hub.SALES, Tier.ENTERPRISE)], True
        ),
        "Basic Co": _account("Basic Co", "GB", [(Hub.MARKETING, Tier.PROFESSIONAL)], False),
    }
    logins = []
    for email, name, account_name, role, phone in DEMO_CUSTOMERS:
        if not User.objects.filter(email=email).exists():
            customer_user_create(
                account=accounts[account_name],
                email=email,
                password=DEMO_PASSWORD,
                role=role,
                full_name=name,
                phone=phone,
            )
        logins.append((email, f"{Role(role).label}, {account_name}"))
    for email, name, group in DEMO_STAFF:
        if not User.objects.filter(email=email).exists():
            staff_user_create(email=email, password=DEMO_PASSWORD, group=group, full_name=name)
        logins.append((email, group[:-1]))
    for extra in _extra_seeders():
        extra()
    return logins


def _extra_seeders() -> list:
    """Seeders of other features (knowledge base, calendar...), registered as they land."""
    from helpdesk.kb.demo import demo_articles_seed
    from helpdesk.tickets.macros import demo_macros_seed
    from sla.services import demo_calendar_seed

    return [demo_calendar_seed, demo_articles_seed, demo_macros_seed]
