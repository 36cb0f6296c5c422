from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.core.textclean import CleanCharField
from helpdesk.tickets import services


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
