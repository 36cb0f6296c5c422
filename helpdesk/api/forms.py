from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.api.models import TokenScope
from helpdesk.api.services import NAME_MAX


class TokenForm(forms.Form):
    """A new personal API token: what will use it, and what it may do."""

    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX,
        help_text=_("What will use it, e.g. “Status page” or “CRM sync”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=TokenScope.choices, initial=TokenScope.READ
    )
