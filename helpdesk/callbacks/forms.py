from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.callbacks import services
from helpdesk.core.textclean import CleanCharField


class CallbackForm(forms.Form):
    """A callback request from the help dialog; the number itself is checked by the
    service, against the account's country."""

    phone = CleanCharField(
        label=_("Phone number"),
        max_length=services.PHONE_INPUT_MAX,
        error_messages={
            "required": services.PHONE_REQUIRED,
            "too_long": services.PHONE_INVALID,
        },
    )
    topic = CleanCharField(
        label=_("Topic"),
        max_length=services.TOPIC_MAX,
        error_messages={"required": services.TOPIC_REQUIRED, "too_long": services.TOPIC_TOO_LONG},
    )
    description = CleanCharField(
        label=_("What should the specialist know? (optional)"),
        multiline=True,
        required=False,
        max_length=services.DESCRIPTION_MAX,
        error_messages={"too_long": services.DESCRIPTION_TOO_LONG},
    )
