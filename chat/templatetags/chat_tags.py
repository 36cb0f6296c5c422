from django import template
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import PremiumChannel
from accounts.permissions import is_customer
from accounts.selectors import entitlement_for
from chat.selectors import conversation_open_for
from chat.services import MESSAGE_MAX
from helpdesk.core.files import ALLOWED_TYPES

register = template.Library()


def client_strings() -> dict[str, str]:
    """Sentences the chat client shows, translated here; {name} fields are filled in JS."""
    return {
        "queue": _("You are number {position} in the queue."),
        "wait": _("Expected wait: about {minutes} min."),
        "wait_short": _("Expected wait: less than a minute."),
        "waiting": _("Waiting for a specialist…"),
        "no_specialist": _("No specialist is online right now."),
        "long_wait": _("The wait is long right now."),
        "offer_email": _(
            "Send it to Premium email support instead: we answer by email and in the portal."
        ),
        "online": _("{count} specialists online."),
        "joined": _("{name} joined the chat."),
        "with": _("Chatting with {name}"),
        "earlier": _("Show earlier messages"),
        "typing": _("{name} is typing…"),
        "sending": _("Sending…"),
        "stored": _("Sent"),
        "delivered": _("Delivered"),
        "not_sent": _("Not sent"),
        "retry": _("Retry"),
        "you": _("You"),
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "offline_note": _("Messages you write now are sent when the connection is back."),
        "ended_by_specialist": _("The specialist ended the chat."),
        "ended_by_customer": _("You ended the chat."),
        "confirm_end": _("End this chat?"),
        "signed_out": _("You were signed out. Log in again to continue the chat."),
        "seen": _("Seen"),
        "unread": _("Help, {count} unread messages"),
        "preview_from": _("New message from {name}"),
        "preview_open": _("Open chat"),
        "preview_dismiss": _("Dismiss"),
        # Honest waits (chat-wait.js).
        "send": _("Send message"),
        "send_anyway": _("Send as a chat anyway"),
        "past_target": _("You have waited longer than we aim for."),
        "wait_unknown": _("It is taking longer than usual."),
        "to_email_promise": ngettext(
            "If no specialist joins within %(minutes)d minute, your chat becomes an email "
            "ticket and we answer you by email.",
            "If no specialist joins within %(minutes)d minutes, your chat becomes an email "
            "ticket and we answer you by email.",
            settings.CHAT_UNANSWERED_TO_EMAIL_MINUTES,
        )
        % {"minutes": settings.CHAT_UNANSWERED_TO_EMAIL_MINUTES},
        "to_email_at": _("If nobody has joined by {time}, we answer you by email instead."),
        "ended_to_email": _(
            "No specialist could join in time, so your chat is now ticket #{id}: we answer "
            "you by email and in the portal."
        ),
        "ended_no_ticket": _(
            "No specialist could join in time, and Premium email support is no longer "
            "available to your account, so the chat has ended."
        ),
        "view_ticket": _("View the ticket"),
        # Files (chat-attach.js); the reason is the server's, translated there.
        "upload_failed": _("{name} was not sent: {reason}"),
        "upload_later": _("the chat has not started yet. Try again in a moment."),
    }


@register.simple_tag(takes_context=True)
def chat_state(context: template.Context) -> dict:
    """What the chat step needs: may this user chat, and is a chat open to resume."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_customer(user):
        return {"allowed": False, "open": False, "reason": ""}
    entitlement = entitlement_for(user=user, request=request)
    if not entitlement.allows(PremiumChannel.CHAT):
        return {"allowed": False, "open": False, "reason": entitlement.reason.label}
    return {
        "allowed": True,
        "open": conversation_open_for(customer=user) is not None,
        "strings": {**client_strings(), "time_zone": user.time_zone},
        "message_max": MESSAGE_MAX,
        "accept": ",".join(f".{extension}" for extension in ALLOWED_TYPES),
    }
