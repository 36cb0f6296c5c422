"""Account emails, recorded in the outbox by the services and delivered by its relay.
Safe to deliver again (a repeat sends a fresh link, and every link sent stays valid
until it expires or the password changes)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from helpdesk.core.outbox.services import outbox_handler

PASSWORD_RESET = "accounts.password_reset"

PASSWORD_RESET_SUBJECT = _("Reset your Premium Desk password")


def reset_link_lifetime() -> str:
    """How long a reset link works, in the active language ("60 minutes")."""
    minutes = max(1, settings.PASSWORD_RESET_TIMEOUT // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


@outbox_handler(PASSWORD_RESET)
def password_reset_send(*, email: str, language: str) -> int:
    """Email a password reset link to the active account using `email`, in `language`.

    The lookup is here rather than in the request, so asking for a reset takes the same
    time whether or not the address has an account. The link is built from
    PORTAL_BASE_URL, never from the request's Host header, which a client controls."""
    users = [
        user
        for user in User.objects.filter(email=email.strip().lower(), is_active=True)
        if user.has_usable_password()
    ]
    for user in users:
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        with translation.override(language):
            subject = str(PASSWORD_RESET_SUBJECT)
            body = render_to_string(
                "registration/password_reset_email.txt",
                {
                    "user": user,
                    "reset_url": settings.PORTAL_BASE_URL.rstrip("/") + path,
                    "lifetime": reset_link_lifetime(),
                },
            )
        # Sent to the address on the account, not the one typed into the form.
        send_mail(subject, body, None, [user.email])
    return len(users)
