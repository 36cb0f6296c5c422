from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm, PasswordChangeForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import password_change_check_current
from helpdesk.core.textclean import CleanCharField, limit_message

FULL_NAME_MAX = 150
PHONE_MAX = 32
FULL_NAME_TOO_LONG = limit_message(
    _("Keep the name to {limit} characters or fewer."), FULL_NAME_MAX
)
PHONE_TOO_LONG = limit_message(
    _("Keep the phone number to {limit} characters or fewer."), PHONE_MAX
)


def _full_name_field() -> CleanCharField:
    return CleanCharField(
        label=User._meta.get_field("full_name").verbose_name,
        max_length=FULL_NAME_MAX,
        required=False,
        error_messages={"too_long": FULL_NAME_TOO_LONG},
    )


def _phone_field() -> CleanCharField:
    return CleanCharField(
        label=User._meta.get_field("phone").verbose_name,
        max_length=PHONE_MAX,
        required=False,
        error_messages={"too_long": PHONE_TOO_LONG},
    )


# Django's user forms are generic in the stubs only: subscripted for the type checker, plain
# at run time.
if TYPE_CHECKING:
    _UserCreationForm = BaseUserCreationForm[User]
    _UserChangeForm = UserChangeForm[User]
else:
    _UserCreationForm, _UserChangeForm = BaseUserCreationForm, UserChangeForm


class UserCreateForm(_UserCreationForm):
    full_name = _full_name_field()

    class Meta:
        model = User
        fields = ("email", "full_name", "account", "role")


class UserEditForm(_UserChangeForm):
    full_name = _full_name_field()
    phone = _phone_field()

    class Meta:
        model = User
        fields = "__all__"


class SecondFactorCodeForm(forms.Form):
    """A code from the authenticator app or, unless `app_only`, a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(
        self,
        *args: Any,
        app_only: bool = False,
        autofocus: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields["code"].widget.attrs["autofocus"] = True
        if app_only:
            self.fields["code"].label = _("6-digit code")
            self.fields["code"].widget.attrs["inputmode"] = "numeric"


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's form, with the current password checked by the service that limits
    wrong guesses."""

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        try:
            correct = password_change_check_current(user=self.user, password=old_password)
        except PermissionDenied as exc:
            raise forms.ValidationError(str(exc), code="too_many_guesses") from exc
        if not correct:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class ProfileForm(forms.Form):
    """The customer's own language and time zone (accounts.profile checks them again)."""

    language = forms.ChoiceField(label=_("Language"))
    time_zone = forms.ChoiceField(label=_("Time zone"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        from accounts.profile import UNKNOWN_LANGUAGE, UNKNOWN_TIME_ZONE, time_zone_names

        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        zone = self.fields["time_zone"]
        assert isinstance(language, forms.ChoiceField) and isinstance(zone, forms.ChoiceField)
        language.choices = list(settings.LANGUAGES)
        language.error_messages["invalid_choice"] = UNKNOWN_LANGUAGE
        zone.choices = [(name, name.replace("_", " ")) for name in time_zone_names()]
        zone.error_messages["invalid_choice"] = UNKNOWN_TIME_ZONE
