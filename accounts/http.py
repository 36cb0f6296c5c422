"""The request a view behind `login_required` receives: its user is signed in, so a
`User`, never an `AnonymousUser` (django-stubs' pattern for typed views)."""

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
