"""Macro placeholders: `{{customer_name}}`, `{{ticket_number}}`, `{{deadline}}`.

Plain substitution, not a template engine: a macro cannot run template code, and a value
is inserted once, as text (a customer named "{{deadline}}" stays that name). The reply
is plain text wherever it is shown or emailed, so it is escaped there like any reply."""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = ("customer_name", "ticket_number", "deadline")
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

UNKNOWN_PLACEHOLDER = _(
    "Unknown placeholder %(placeholder)s. Use {{customer_name}}, {{ticket_number}} or {{deadline}}."
)


def placeholders_in(text: str) -> list[str]:
    return [match.group(1) for match in _PLACEHOLDER.finditer(text)]


def placeholders_check(text: str, *, field: str = "body") -> None:
    """Refuse a macro naming a placeholder that does not exist (a typo would otherwise
    reach a customer as "{{custmer_name}}")."""
    unknown = [name for name in placeholders_in(text) if name not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            {
                field: [
                    str(UNKNOWN_PLACEHOLDER) % {"placeholder": "{{" + name + "}}"}
                    for name in dict.fromkeys(unknown)
                ]
            }
        )


def placeholders_fill(text: str, values: Mapping[str, str]) -> str:
    """Each known placeholder replaced by its value, in one pass over the macro's text."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return _PLACEHOLDER.sub(value, text)
