import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ADDRESS_CONTROL_CHARACTERS = _("This address contains a NUL character. Check the link.")


class RefuseNulInAddressMiddleware:
    """A NUL in an admin address (a forged link: no form or page makes one) is a 400
    with a message, not a database error deep in a changelist filter or a lookup. The
    portal's own pages answer a NUL themselves (a search says why, an unknown article
    gets its not-found page), and form posts are left to the forms, which say which
    field was wrong."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/admin/") and (
            "\x00" in request.path
            or any(
                "\x00" in key or "\x00" in value
                for key, values in request.GET.lists()
                for value in values
            )
        ):
            return HttpResponseBadRequest(
                str(ADDRESS_CONTROL_CHARACTERS), content_type="text/plain"
            )
        return self.get_response(request)


class UserTimezoneMiddleware:
    """Show times in the logged-in user's own time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        tz_name = getattr(user, "time_zone", "") if user and user.is_authenticated else ""
        try:
            if tz_name:
                timezone.activate(zoneinfo.ZoneInfo(tz_name))
            else:
                timezone.deactivate()
        except zoneinfo.ZoneInfoNotFoundError:
            timezone.deactivate()
        return self.get_response(request)
