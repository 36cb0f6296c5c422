"""The staff groups' admin rights, declared by each app for its own models, and the
shared rule for who may see a customer's item."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured

from accounts import permissions
from accounts.permissions import (
    LEADS_GROUP,
    SPECIALISTS_GROUP,
    can_view_customer_item,
    staff_permissions_grant,
)
from accounts.services import staff_groups_ensure
from helpdesk.tickets.models import Ticket
from tests.factories import (
    LeadFactory,
    StaffFactory,
    SuperAdminFactory,
    UserFactory,
    ticket_for,
)

pytestmark = pytest.mark.django_db

# What the groups held when accounts/services.py listed every app's permissions by name.
SPECIALISTS = {
    # Their own personal API tokens (the admin lists each user's only).
    "api.view_apitoken",
    "api.add_apitoken",
    "accounts.view_account",
    "accounts.view_subscription",
    "accounts.view_premiumsupportpurchase",
    "accounts.view_user",
    "accounts.view_specialist",
    "tickets.view_ticket",
    "tickets.change_ticket",
    "tickets.view_reply",
    "tickets.add_reply",
    "tickets.view_ticketevent",
    "tickets.view_macro",
    "kb.view_article",
    "callbacks.view_callbackrequest",
    "callbacks.change_callbackrequest",
    "callbacks.view_callbackattempt",
    "callbacks.add_callbackattempt",
    "callbacks.view_callbackevent",
    "chat.view_conversation",
    "chat.change_conversation",
    "chat.view_message",
    "sla.view_responsetimeexception",
    "sla.view_businesscalendar",
}
LEADS = SPECIALISTS | {
    "accounts.add_account",
    "accounts.change_account",
    "accounts.add_subscription",
    "accounts.change_subscription",
    "accounts.delete_subscription",
    "accounts.add_premiumsupportpurchase",
    "accounts.change_premiumsupportpurchase",
    "accounts.delete_premiumsupportpurchase",
    "accounts.add_user",
    "accounts.change_user",
    "accounts.change_specialist",
    "kb.add_article",
    "kb.change_article",
    "kb.delete_article",
    "kb.view_articlefeedback",
    "kb.view_helpquestion",
    "sla.add_responsetimeexception",
    "sla.change_responsetimeexception",
    "sla.delete_responsetimeexception",
    "sla.add_businesscalendar",
    "sla.change_businesscalendar",
    "sla.add_holiday",
    "sla.change_holiday",
    "sla.delete_holiday",
    "sla.view_holiday",
    "tickets.view_slaattainmentreport",
    "tickets.view_inboundemail",
    "tickets.add_macro",
    "tickets.change_macro",
    "tickets.delete_macro",
    "csat.view_csatreport",
    "axes.view_accessattempt",
    "axes.view_accessfailurelog",
    "axes.view_accesslog",
    "auditlog.view_logentry",
    "outbox.view_outboxmessage",
    "outbox.retry_outboxmessage",
    "webhooks.view_webhookendpoint",
    "webhooks.add_webhookendpoint",
    "webhooks.change_webhookendpoint",
    "webhooks.delete_webhookendpoint",
    "webhooks.view_webhookdelivery",
    "webhooks.resend_webhookdelivery",
}


def _held(name: str) -> set[str]:
    return {
        f"{label}.{codename}"
        for label, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_groups_hold_what_the_apps_grant_and_nothing_else():
    assert _held(SPECIALISTS_GROUP) == SPECIALISTS
    assert _held(LEADS_GROUP) == LEADS


@pytest.fixture
def _grants_restored(monkeypatch):
    saved = {group: set(grants) for group, grants in permissions._staff_grants.items()}
    monkeypatch.setattr(permissions, "_staff_grants", saved)


@pytest.mark.usefixtures("_grants_restored")
def test_a_grant_without_a_permission_raises_instead_of_being_skipped():
    staff_permissions_grant(group=LEADS_GROUP, models={Ticket: ("view", "archive")})
    with pytest.raises(ImproperlyConfigured, match="tickets.Ticket 'archive'"):
        staff_groups_ensure()
    assert _held(LEADS_GROUP) == LEADS  # nothing half-done


@pytest.mark.usefixtures("_grants_restored")
def test_grants_name_a_known_group_and_give_actions_as_a_tuple():
    with pytest.raises(ValueError, match="No staff group"):
        staff_permissions_grant(group="Interns", models={Ticket: ("view",)})
    with pytest.raises(TypeError, match="as a tuple"):
        staff_permissions_grant(group=LEADS_GROUP, models={Ticket: "view"})


def test_who_may_see_a_customers_item():
    admin = SuperAdminFactory()
    regular = UserFactory(account=admin.account)
    neighbour = UserFactory(account=admin.account)
    outsider = SuperAdminFactory()
    own = ticket_for(regular)
    assert can_view_customer_item(regular, own)
    assert can_view_customer_item(admin, own)  # the account's super admin
    assert not can_view_customer_item(neighbour, own)
    assert not can_view_customer_item(outsider, own)
    assert can_view_customer_item(StaffFactory(), own)
    assert can_view_customer_item(LeadFactory(), own)
    assert not can_view_customer_item(UserFactory(account=None, role="", is_staff=True), own)


def test_the_customer_item_filter_is_the_predicate_as_a_query():
    """`customer_item_filter` (the selectors' lists) and `can_view_customer_item` (one
    item's page) are one rule: for every user, the filter keeps exactly the items the
    predicate allows, tickets and callback requests alike."""
    from helpdesk.callbacks.models import CallbackRequest
    from helpdesk.callbacks.services import callback_request_create

    admin = SuperAdminFactory()
    regular = UserFactory(account=admin.account)
    neighbour = UserFactory(account=admin.account)
    outsider = SuperAdminFactory()
    users = [
        admin,
        regular,
        neighbour,
        outsider,
        StaffFactory(),
        LeadFactory(),
        UserFactory(account=None, role="", is_staff=True),
        UserFactory(account=admin.account, is_active=False),
    ]
    for requester in (admin, regular, outsider):
        ticket_for(requester)
        callback_request_create(requester=requester, phone="+14155550101", topic="Login")
    assert Ticket.objects.count() == 3 and CallbackRequest.objects.count() == 3
    for model in (Ticket, CallbackRequest):
        items = list(model.objects.all())
        for user in users:
            allowed = {item.pk for item in items if can_view_customer_item(user, item)}
            query = set(
                model.objects.filter(permissions.customer_item_filter(user)).values_list(
                    "pk", flat=True
                )
            )
            assert query == allowed, (model.__name__, user)
