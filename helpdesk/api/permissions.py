"""Who may use the API and what a token's scope allows: plain predicates, and the DRF
permission classes that apply them to each view. The rules about tickets, callbacks and
the rest stay in the apps' services, which the API calls like the pages do."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request

from accounts.models import User
from accounts.permissions import SPECIALISTS_GROUP, is_agent, is_customer, staff_permissions_grant

READ_ONLY_TOKEN = _("This token is read only. Make a read and write token to change anything.")
CUSTOMERS_ONLY = _("Only customer users can do this.")
STAFF_ONLY = _("Only specialists and leads can do this.")
LEADS_ONLY = _("Only leads can do this.")


def can_have_api_tokens(user: User | AnonymousUser) -> bool:
    return is_customer(user) or is_agent(user)


def can_view_sla_report(user: User | AnonymousUser) -> bool:
    """The admin's rule for the SLA attainment report: leads, by permission."""
    return bool(user.is_authenticated and user.has_perm("tickets.view_slaattainmentreport"))


def can_write_articles(user: User | AnonymousUser) -> bool:
    """Leads write the knowledge base (the admin's add and change permissions)."""
    return bool(
        user.is_authenticated
        and user.is_staff
        and user.has_perm("kb.add_article")
        and user.has_perm("kb.change_article")
    )


class TokenScopeAllows(permissions.BasePermission):
    """A read-scoped token may only read (GET, HEAD, OPTIONS). Every view has this."""

    message = READ_ONLY_TOKEN
    code = "token_read_only"

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if request.method in permissions.SAFE_METHODS or token is None:
            return True
        return bool(getattr(token, "scope", "") == "write")


class _Signed(permissions.BasePermission):
    """Authenticated first (so anonymous requests get 401, not 403), then the rule."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return self.allowed(request.user)

    def allowed(self, user: User) -> bool:
        raise NotImplementedError


class IsCustomer(_Signed):
    message = CUSTOMERS_ONLY
    code = "customers_only"

    def allowed(self, user: User) -> bool:
        return is_customer(user)


class IsAgent(_Signed):
    message = STAFF_ONLY
    code = "staff_only"

    def allowed(self, user: User) -> bool:
        return is_agent(user)


class CanViewSlaReport(_Signed):
    message = LEADS_ONLY
    code = "leads_only"

    def allowed(self, user: User) -> bool:
        return can_view_sla_report(user)


class CanWriteArticlesOrReadOnly(permissions.BasePermission):
    """Everyone reads published articles; leads write them."""

    message = LEADS_ONLY
    code = "leads_only"

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated) and can_write_articles(
            request.user
        )


def staff_permissions_register() -> None:
    """Staff keep their own tokens in the admin (the admin shows each user only theirs)."""
    from helpdesk.api.models import ApiToken

    staff_permissions_grant(group=SPECIALISTS_GROUP, models={ApiToken: ("view", "add")})
