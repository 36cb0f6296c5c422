from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk import callbacks, services
from helpdesk.core.textclean import CleanCharField


class TicketForm(forms.Form):
    """The services' limits and messages, so the form says what ticket_create would;
    the flag, entitlement and rate rules are the service's."""

    subject = CleanCharField(
        label=_("Subject"),
        max_length=services.SUBJECT_MAX,
        error_messages={
            "required": services.SUBJECT_REQUIRED,
            "too_long": services.SUBJECT_TOO_LONG,
        },
    )
    description = CleanCharField(
        label=_("Describe the problem"),
        multiline=True,
        max_length=services.DESCRIPTION_MAX,
        error_messages={
            "required": services.DESCRIPTION_REQUIRED,
            "too_long": services.DESCRIPTION_TOO_LONG,
        },
    )
    business_critical = forms.BooleanField(label=_("Business-critical issue"), required=False)


class ReplyForm(forms.Form):
    """The reply's text; its visibility is checked by the view and the service."""

    body = CleanCharField(
        label=_("Your reply"),
        multiline=True,
        max_length=services.REPLY_MAX,
        error_messages={"required": services.REPLY_REQUIRED, "too_long": services.REPLY_TOO_LONG},
    )


class CallbackForm(forms.Form):
    """A callback request from the help dialog; the number itself is checked by the
    service, against the account's country."""

    phone = CleanCharField(
        label=_("Phone number"),
        max_length=callbacks.PHONE_INPUT_MAX,
        error_messages={
            "required": callbacks.PHONE_REQUIRED,
            "too_long": callbacks.PHONE_INVALID,
        },
    )
    topic = CleanCharField(
        label=_("Topic"),
        max_length=callbacks.TOPIC_MAX,
        error_messages={"required": callbacks.TOPIC_REQUIRED, "too_long": callbacks.TOPIC_TOO_LONG},
    )
    description = CleanCharField(
        label=_("What should the specialist know? (optional)"),
        multiline=True,
        required=False,
        max_length=callbacks.DESCRIPTION_MAX,
        error_messages={"too_long": callbacks.DESCRIPTION_TOO_LONG},
    )
