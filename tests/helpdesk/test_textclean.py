"""The one input rule, on its own: what is refused, removed, kept and reported."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from helpdesk.core.textclean import (
    CONTROL_CHARACTERS,
    NOT_TEXT,
    CleanCharField,
    clean_line,
    clean_text,
    limit_message,
)

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROLS = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x1f",
    "\x7f",
    "\x85",
    "\x9f",
    "\ud800",
]


def _messages(call) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.messages


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize("clean", [clean_line, clean_text])
def test_control_characters_are_refused_with_a_clear_message(clean, control):
    assert _messages(lambda: clean(f"Export{control} fails", max_length=200)) == [
        CONTROL_CHARACTERS
    ]


def test_errors_are_keyed_by_field_when_one_is_named():
    with pytest.raises(ValidationError) as exc:
        clean_line("a\x00b", field="subject", max_length=200)
    assert exc.value.message_dict == {"subject": [CONTROL_CHARACTERS]}


def test_one_line_fields_lose_bidi_controls_and_fold_whitespace():
    assert clean_line(f"  Invoice{BIDI} overdue\t\r\n  again ", max_length=200) == (
        "Invoice overdue again"
    )
    # "fdp.exe" written to read as "exe.pdf" in a list: stored as typed, without the override.
    assert clean_line("report\u202efdp.exe", max_length=200) == "reportfdp.exe"
    # Ordinary right-to-left text and marks are not controls.
    assert clean_line("שלום \u200fעולם", max_length=200) == "שלום \u200fעולם"


def test_multi_line_text_keeps_tab_and_newline_and_normalises_line_breaks():
    text = "Steps:\r\n\t1. Open the export\r\t2. Click\n\nThanks  "
    assert clean_text(text, max_length=200) == "Steps:\n\t1. Open the export\n\t2. Click\n\nThanks"


def test_required_too_long_and_not_text():
    assert clean_line("   ", max_length=5) == ""
    assert _messages(lambda: clean_line(None, max_length=5, required_message="Enter it.")) == [
        "Enter it."
    ]
    assert _messages(lambda: clean_line(BIDI, max_length=5, required_message="Enter it.")) == [
        "Enter it."
    ]
    assert clean_line("abcde", max_length=5) == "abcde"
    assert _messages(lambda: clean_line("abcdef", max_length=5, too_long_message="Shorter.")) == [
        "Shorter."
    ]
    assert _messages(lambda: clean_text("x" * 20_001, max_length=20_000)) == [
        "Keep this to 20,000 characters or fewer."
    ]
    for value in (5, ["a"], {"a": 1}, b"bytes"):
        assert _messages(lambda value=value: clean_line(value, max_length=5)) == [NOT_TEXT]


def test_messages_are_translated_when_shown():
    message = limit_message("Keep this to {limit} characters or fewer.", 20_000)
    with translation.override("fr"):
        assert str(CONTROL_CHARACTERS) == (
            "Supprimez les caractères de contrôle invisibles de ce texte."
        )
        assert str(message) == "Keep this to 20\xa0000 characters or fewer."
    with translation.override("ja"):
        assert str(CONTROL_CHARACTERS) == "このテキストから目に見えない制御文字を削除してください。"


class _Form(forms.Form):
    subject = CleanCharField(
        max_length=10, error_messages={"required": "Enter a subject.", "too_long": "Shorter."}
    )
    body = CleanCharField(multiline=True, required=False, max_length=50)


def test_the_form_field_applies_the_same_rule_with_the_fields_messages():
    form = _Form({"subject": "Hi\u202e there", "body": "a\r\n\tb"})
    assert form.is_valid()
    assert form.cleaned_data == {"subject": "Hi there", "body": "a\n\tb"}
    for data, errors in [
        ({"subject": "a\x00b"}, {"subject": [CONTROL_CHARACTERS]}),
        ({"subject": "x" * 11}, {"subject": ["Shorter."]}),
        ({"subject": " \u2066 "}, {"subject": ["Enter a subject."]}),
        ({"subject": "ok", "body": "\x1b[31m"}, {"body": [CONTROL_CHARACTERS]}),
    ]:
        form = _Form(data)
        assert not form.is_valid()
        assert form.errors == errors
    assert 'maxlength="10"' in str(_Form()["subject"])
