"""The request side of the audit log: who acts and from which address."""

import ipaddress

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from helpdesk.core.ratelimit import client_address


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """auditlog's middleware with the portal's address rule. auditlog trusts the first
    X-Forwarded-For entry, which any client can write; client_address() counts
    TRUSTED_PROXIES from the right, as the rate limits and login lockouts do."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        # auditlog.conf (imported with its middleware) sets this setting's default on
        # django.conf.settings at run time, where the stubs cannot see it.
        if getattr(settings, "AUDITLOG_DISABLE_REMOTE_ADDR", False):
            return None
        try:
            # The column is an IP address: junk from a misconfigured proxy must not
            # make the change itself fail.
            return str(ipaddress.ip_address(client_address(request)))
        except ValueError:
            return None

    @staticmethod
    def _get_remote_port(request: HttpRequest) -> None:
        # X-Forwarded-Port is as forgeable as the address; the port tells a lead nothing.
        return None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # auditlog sets its context for the request and never unsets it; accounts.audit
        # reads it to tell who acts, so the thread's next work must not still see it.
        token = auditlog_value.set({})
        try:
            return super().__call__(request)
        finally:
            auditlog_value.reset(token)
