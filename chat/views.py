from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.middleware import second_factor_verified_required
from accounts.permissions import is_agent


@login_required
@second_factor_verified_required
def console(request: HttpRequest) -> HttpResponse:
    """The specialists' live chat console; everything on it arrives over /ws/chat/console/."""
    if not is_agent(request.user):
        raise PermissionDenied
    strings = {
        "accept": _("Accept"),
        "waiting_since": _("waiting {minutes} min"),
        "just_now": _("just now"),
        "with": _("{customer} · {account}"),
        "earlier": _("Earlier messages of this long chat are in its transcript (admin: Chats)."),
        "typing": _("{name} is typing…"),
        "ended_by_customer": _("The customer ended the chat."),
        "ended_by_specialist": _("You ended the chat."),
        "confirm_end": _("End this chat? The customer gets the transcript by email."),
        "reconnecting": _("Reconnecting…"),
        "connected": _("Connected"),
        "stored": _("Sent"),
        "delivered": _("Delivered"),
        "sending": _("Sending…"),
        "not_sent": _("Not sent"),
        "ticket": _("Ticket #{id}"),
        "confirm_ticket": _("Open an email ticket for this customer with the transcript?"),
    }
    return render(request, "chat/console.html", {"console_strings": strings})
