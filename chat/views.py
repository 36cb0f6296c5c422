from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.middleware import second_factor_verified_required
from accounts.permissions import is_agent
from chat import selectors, services
from chat.payloads import message_payload
from helpdesk.core.files import file_response, uploads_from

NO_SUCH_CHAT = "No such chat."
BAD_PAGE = gettext_lazy("Ask for a page with after, or before, a sequence number (and a limit).")
# Sequence numbers and limits are 64-bit at most: anything else is a bad request.
_NUMBER_MAX = 2**63 - 1


def _number(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) > _NUMBER_MAX:
        raise ValueError(name)
    return int(raw)


@require_GET
@login_required
@second_factor_verified_required
def history(request: AuthenticatedHttpRequest, conversation_id: int) -> HttpResponse:
    """A page of a chat's history, for its customer or its specialist under the rule of
    the socket that carries it (chat.permissions): ?after=<seq> (oldest first, "more"
    and "next_after") or ?before=<seq> (the newest before it, "from_seq"), &limit=."""
    conversation = selectors.conversation_readable_by(
        conversation_id=conversation_id,
        user=request.user,
        session=request.session,
        user_agent=request.headers.get("User-Agent", ""),
    )
    if conversation is None:
        raise Http404(NO_SUCH_CHAT)  # someone else's chat reveals nothing, not even that it exists
    try:
        before_seq = _number(request, "before")
        after_seq = _number(request, "after")
        limit = _number(request, "limit")
    except ValueError:
        return JsonResponse({"errors": {"__all__": [str(BAD_PAGE)]}}, status=400)
    page = selectors.history_page(
        conversation=conversation,
        after_seq=after_seq,
        before_seq=before_seq,
        limit=selectors.HISTORY_MESSAGES if limit is None else limit,
    )
    return JsonResponse(page)


NO_FILE = gettext_lazy("Choose a file to send.")


@require_POST
@login_required
@second_factor_verified_required
def attachment_upload(request: AuthenticatedHttpRequest, conversation_id: int) -> HttpResponse:
    """One file into a chat, from its customer or its specialist (the sockets' rule): it
    becomes the chat's next message, announced to both sides like text; the answer is
    that message, the sender's acknowledgement. Refused: 400 with the reason, nothing
    stored."""
    conversation = selectors.conversation_readable_by(
        conversation_id=conversation_id,
        user=request.user,
        session=request.session,
        user_agent=request.headers.get("User-Agent", ""),
    )
    if conversation is None:
        raise Http404(NO_SUCH_CHAT)
    files = request.FILES.getlist("file")
    if len(files) != 1:
        return JsonResponse({"errors": {"file": [str(NO_FILE)]}}, status=400)
    try:
        [upload] = uploads_from(files)
        message = services.message_attach(
            conversation_id=conversation.pk,
            sender=request.user,
            upload=upload,
            client_id=request.POST.get("client_id", ""),
        )
    except ValidationError as exc:
        return JsonResponse({"errors": {"file": exc.messages}}, status=400)
    except PermissionDenied as exc:
        return JsonResponse({"errors": {"file": [str(exc)]}}, status=403)
    return JsonResponse({"message": message_payload(message)}, status=201)


@require_GET
@login_required
def attachment_download(request: AuthenticatedHttpRequest, attachment_id: int) -> HttpResponseBase:
    attachment = selectors.chat_attachment_get_for(
        attachment_id=attachment_id,
        user=request.user,
        session=request.session,
        user_agent=request.headers.get("User-Agent", ""),
    )
    if attachment is None:  # the rule checks staff's second factor itself
        raise Http404(NO_SUCH_CHAT)
    return file_response(
        path=attachment.path,
        name=attachment.name,
        content_type=attachment.content_type,
        thumbnail_path=attachment.thumbnail_path,
        thumbnail=request.GET.get("thumbnail") == "1",
    )


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
        "earlier": _("Show earlier messages"),
        "typing": _("{name} is typing…"),
        "ended_by_customer": _("The customer ended the chat."),
        "ended_by_specialist": _("You ended the chat."),
        "confirm_end": _("End this chat? The customer gets the transcript by email."),
        "reconnecting": _("Reconnecting…"),
        "connected": _("Connected"),
        "stored": _("Sent"),
        "delivered": _("Delivered"),
        "seen": _("Seen"),
        "sending": _("Sending…"),
        "not_sent": _("Not sent"),
        "ticket": _("Ticket #{id}"),
        "confirm_ticket": _("Open an email ticket for this customer with the transcript?"),
        "attach": _("Attach a file"),
        "uploading": _("Uploading {name}…"),
        "upload_failed": _("{name} was not sent: {reason}"),
    }
    return render(request, "chat/console.html", {"console_strings": strings})
