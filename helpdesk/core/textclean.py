"""The one input rule for every text a customer or specialist sends, through a form, a
fetch post, a chat frame or the admin: control characters refused, bidirectional
overrides and isolates removed from one-line fields, over-long text reported as too long.

Services call `clean_line` / `clean_text` (every path reaches them); forms and admin forms
use `CleanCharField`, the same rule, for early messages. Infrastructure: imports no app."""

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.formats import number_format
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
else:
    # A message: a str or a lazy translation (gettext_lazy, format_lazy). The stubs' alias
    # when type checking; django-stubs-ext is a dev dependency, so not imported at run time.
    StrOrPromise = str | Promise

CONTROL_CHARACTERS = _("Remove the invisible control characters from this text.")
NOT_TEXT = _("Send this as text.")
TOO_LONG = _("Keep this to {limit} characters or fewer.")

# C0 and C1 controls and DEL (NUL is also what PostgreSQL cannot store), and lone
# surrogates, which a JSON frame can carry ("\ud800") but no database can encode. Tab,
# newline and carriage return are not here: whitespace, kept (or normalised) in
# multi-line text and folded into one space on one line.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069): one left open in a
# subject reverses how the rest of its row reads in the specialists' lists.
_BIDI_CONTROLS = dict.fromkeys(range(0x202A, 0x202F)) | dict.fromkeys(range(0x2066, 0x206A))

_number = lazy(lambda value: number_format(value, force_grouping=True), str)


def limit_message(message: StrOrPromise, limit: int) -> StrOrPromise:
    """`message` (translated lazily) with `{limit}` written as the reader's language
    writes numbers: "20,000" in English, "20 000" in French."""
    return format_lazy(message, limit=_number(limit))


def _error(message: StrOrPromise, code: str, field: str | None) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def _text(value: Any, field: str | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _error(NOT_TEXT, "not_text", field)
    if _CONTROL.search(value):
        raise _error(CONTROL_CHARACTERS, "control_characters", field)
    return value


def _bounded(
    text: str,
    *,
    field: str | None,
    max_length: int | None,
    required_message: StrOrPromise | None,
    too_long_message: StrOrPromise | None,
) -> str:
    if not text:
        if required_message:
            raise _error(required_message, "required", field)
        return ""
    if max_length is not None and len(text) > max_length:
        message = too_long_message or limit_message(TOO_LONG, max_length)
        raise _error(message, "too_long", field)
    return text


def clean_line(
    value: Any,
    *,
    field: str | None = None,
    max_length: int | None,
    required_message: StrOrPromise | None = None,
    too_long_message: StrOrPromise | None = None,
) -> str:
    """One-line text (a subject, a topic, a name, a phone number): runs of whitespace,
    tabs and newlines become one space, bidirectional controls are removed, control
    characters are refused. Empty is allowed unless `required_message` is given.

    Raises ValidationError, keyed by `field` when given (a form-style error dict)."""
    text = " ".join(_text(value, field).translate(_BIDI_CONTROLS).split())
    return _bounded(
        text,
        field=field,
        max_length=max_length,
        required_message=required_message,
        too_long_message=too_long_message,
    )


def clean_text(
    value: Any,
    *,
    field: str | None = None,
    max_length: int | None,
    required_message: StrOrPromise | None = None,
    too_long_message: StrOrPromise | None = None,
) -> str:
    """Multi-line text (a description, a reply, a chat message): line breaks become
    "\\n", tab and newline are kept, surrounding whitespace is stripped, control
    characters are refused. Empty is allowed unless `required_message` is given."""
    text = _text(value, field).replace("\r\n", "\n").replace("\r", "\n").strip()
    return _bounded(
        text,
        field=field,
        max_length=max_length,
        required_message=required_message,
        too_long_message=too_long_message,
    )


class CleanCharField(forms.CharField):
    """A form field applying the one input rule (`clean_text` with `multiline`, else
    `clean_line`). Give it the service's messages so a form and a service say the same:
    `error_messages={"required": ..., "too_long": ...}`."""

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        kwargs.setdefault("strip", False)  # the rule strips
        if multiline:
            kwargs.setdefault("widget", forms.Textarea)
        super().__init__(**kwargs)
        # The length is reported by the rule, with this field's own message.
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        clean = clean_text if self.multiline else clean_line
        return clean(
            value, max_length=self.max_length, too_long_message=self.error_messages.get("too_long")
        )


class CleanTextAdminMixin:
    """For a ModelAdmin or an inline: every plain CharField and TextField of the model
    is edited through CleanCharField (TextField as multi-line), so admin forms apply the
    one input rule without a form per model. Email, choice, URL and other specialised
    fields keep their own form fields."""

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
            multiline = type(db_field) is models.TextField
            kwargs.setdefault("form_class", CleanCharField)
            field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
            if isinstance(field, CleanCharField):
                field.multiline = multiline
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
