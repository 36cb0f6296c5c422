"""Every API error is JSON with a stable code and a translated message:

    {"error": {"code": "validation_error", "message": "...",
               "fields": {"subject": [{"code": "required", "message": "Enter a subject."}]}}}

The services raise Django's PermissionDenied and ValidationError with their module
constants; this handler answers them (and DRF's own exceptions) with the right status,
and gives each known service message its code, so clients can branch on codes while
people read the message in their language (Accept-Language)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from helpdesk.callbacks import services as callbacks
from helpdesk.core.textclean import StrOrPromise
from helpdesk.tickets import services as tickets

NOT_FOUND = _("Not found.")
INVALID_INPUT = _("Some fields are not valid.")
UNKNOWN_FIELD = _("This field is not accepted here.")

# Service messages whose status is not the default of their exception.
_TOO_MANY = {id(tickets.RATE_LIMITED), id(callbacks.RATE_LIMITED)}
# Each service message's stable code, by the constant's identity (lazy translations
# compare by text, which changes with the language).
_SERVICE_CODES: dict[int, str] = {
    id(message): code
    for message, code in (
        (tickets.NOT_A_CUSTOMER, "customers_only"),
        (tickets.CHANNEL_NOT_ALLOWED, "channel_not_allowed"),
        (tickets.BUSINESS_CRITICAL_ONLY_SUPER_ADMIN, "business_critical_super_admin_only"),
        (tickets.BUSINESS_CRITICAL_ONLY_EMAIL, "business_critical_email_only"),
        (tickets.RATE_LIMITED, "rate_limited"),
        (tickets.REPLY_NOT_ALLOWED, "reply_not_allowed"),
        (tickets.INTERNAL_NOTE_FORBIDDEN, "internal_note_staff_only"),
        (tickets.RECLASSIFY_NOT_SUPER_ADMIN, "reclassify_not_super_admin"),
        (tickets.RECLASSIFY_UNCHANGED, "reclassify_unchanged"),
        (tickets.STAFF_ONLY, "staff_only"),
        (tickets.NOT_YOUR_TICKET, "not_your_ticket"),
        (tickets.ALREADY_SOLVED, "already_solved"),
        (tickets.NOT_SOLVED, "not_solved"),
        (tickets.REOPEN_WINDOW_PASSED, "reopen_window_passed"),
        (callbacks.CHANNEL_NOT_ALLOWED, "channel_not_allowed"),
        (callbacks.RATE_LIMITED, "rate_limited"),
        (callbacks.PHONE_INVALID, "phone_invalid"),
        (callbacks.PHONE_PREMIUM_RATE, "phone_premium_rate"),
        (callbacks.ALREADY_CLAIMED, "already_claimed"),
        (callbacks.NOT_WAITING, "not_waiting"),
        (callbacks.NOT_HOLDER, "not_holder"),
        (callbacks.HELD_BY_ANOTHER, "held_by_another"),
        (callbacks.NOT_IN_PROGRESS, "not_in_progress"),
        (callbacks.STAFF_ONLY, "staff_only"),
    )
}


def error_body(
    code: str, message: StrOrPromise, fields: dict[str, list[dict[str, str]]] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _code_of(error: ValidationError, default: str) -> str:
    return _SERVICE_CODES.get(id(error.message), error.code or default)


def _from_validation_error(exc: ValidationError) -> Response:
    fields: dict[str, list[dict[str, str]]] = {}
    general: list[ValidationError] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            if field == "__all__":
                general += errors
                continue
            fields[field] = [
                {"code": _code_of(e, "invalid"), "message": str(e.messages[0])} for e in errors
            ]
    else:
        general = list(exc.error_list)
    first = general[0] if general else None
    if first is not None and not fields:
        code = _code_of(first, "invalid")
        too_many = id(first.message) in _TOO_MANY
        return Response(
            error_body(code, first.messages[0]),
            status=status.HTTP_429_TOO_MANY_REQUESTS if too_many else status.HTTP_400_BAD_REQUEST,
        )
    if first is not None:
        fields["non_field_errors"] = [
            {"code": _code_of(first, "invalid"), "message": str(m)} for m in first.messages
        ]
    return Response(error_body("validation_error", INVALID_INPUT, fields), status=400)


def _drf_fields(detail: Any, codes: Any) -> dict[str, list[dict[str, str]]]:
    fields: dict[str, list[dict[str, str]]] = {}
    for field, messages in detail.items():
        field_codes = codes.get(field, [])
        if isinstance(messages, dict):  # a nested serializer: flatten with dots
            for sub, items in _drf_fields(messages, field_codes or {}).items():
                fields[f"{field}.{sub}"] = items
            continue
        if not isinstance(messages, list):
            messages, field_codes = [messages], [field_codes]
        fields[field] = [
            {"code": str(code), "message": str(message)}
            for message, code in zip(messages, field_codes, strict=False)
        ]
    return fields


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response(error_body("not_found", NOT_FOUND), status=404)
    if isinstance(exc, PermissionDenied):  # a service's refusal
        message = exc.args[0] if exc.args else exceptions.PermissionDenied.default_detail
        code = _SERVICE_CODES.get(id(message), "permission_denied")
        return Response(error_body(code, message), status=403)
    if isinstance(exc, ValidationError):  # a service's validation
        return _from_validation_error(exc)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handling
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait) + 1)
    request = context.get("request")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        authenticator = getattr(request, "successful_authenticator", None)
        authenticators = getattr(request, "authenticators", None) or []
        if authenticator is None and authenticators:
            header = authenticators[0].authenticate_header(request)
            if header:
                headers["WWW-Authenticate"] = header
            else:
                exc.status_code = status.HTTP_403_FORBIDDEN
    if isinstance(exc, exceptions.ValidationError):
        detail, codes = exc.detail, exc.get_codes()
        if isinstance(detail, dict):
            fields = _drf_fields(detail, codes)
            body = error_body("validation_error", INVALID_INPUT, fields)
        else:
            items = detail if isinstance(detail, list) else [detail]
            code_list = codes if isinstance(codes, list) else [codes]
            body = error_body(str(code_list[0]) if code_list else "invalid", items[0])
        return Response(body, status=400, headers=headers)
    code = exc.get_codes()
    code = code if isinstance(code, str) else exc.default_code
    return Response(error_body(code, str(exc.detail)), status=exc.status_code, headers=headers)
