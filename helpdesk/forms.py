from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.models import ReplyVisibility


class TicketForm(forms.Form):
    """Shape only; the rules (limits, flag, rate) are enforced by ticket_create."""

    subject = forms.CharField(label=_("Subject"), required=False, max_length=100_000)
    description = forms.CharField(
        label=_("Describe the problem"), required=False, widget=forms.Textarea
    )
    business_critical = forms.BooleanField(label=_("Business-critical issue"), required=False)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), required=False, widget=forms.Textarea)
    visibility = forms.ChoiceField(
        choices=ReplyVisibility.choices, initial=ReplyVisibility.PUBLIC, required=False
    )
