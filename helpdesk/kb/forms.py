from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.kb.services import COMMENT_MAX


class ArticleFeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda value: value == "yes"
    )
    comment = forms.CharField(
        label=_("Anything we should add or fix? (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HelpKeyForm(forms.Form):
    key = forms.UUIDField()
