from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.core.textclean import CleanCharField
from helpdesk.csat import services


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the help you got?"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        error_messages={
            "required": services.RATING_OUT_OF_RANGE,
            "invalid_choice": services.RATING_OUT_OF_RANGE,
        },
    )
    comment = CleanCharField(
        label=_("Anything to add? (optional)"),
        multiline=True,
        required=False,
        max_length=services.COMMENT_MAX,
        error_messages={"too_long": services.COMMENT_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
