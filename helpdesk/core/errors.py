"""Errors as the views answer them: a ValidationError or a form's errors as
{"field": [messages]} ("__all__" for the whole), for JSON answers and templates alike."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def form_errors(form: forms.BaseForm) -> dict[str, list[str]]:
    """A form's own errors, keyed like `validation_errors`."""
    return {field: [str(m) for m in msgs] for field, msgs in form.errors.items()}
