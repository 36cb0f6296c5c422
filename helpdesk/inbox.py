"""The staff inbox page (`/admin/inbox/`): one list of what waits for a first answer or
a next step, the staff's landing page. Thin: the list is `sla.inbox.inbox_for` (the
sources registered by tickets, chat and callbacks), a claim is the source's service."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import is_agent
from sla.inbox import (
    DUE_SOON,
    TICKET,
    Inbox,
    InboxItem,
    InboxQuery,
    inbox_for,
    inbox_waiting_count,
    source_for,
)

STAFF_ONLY = _("Only specialists and leads have an inbox.")
UNKNOWN_ITEM = _("There is no such item in the inbox.")
CLAIMED = _("Claimed: it is yours now.")
OVER = _("%(time)s over")

# The filters, as the query string names them.
FLAGS = ("mine", "unassigned", "breached", "due_soon", "critical")


def _agent(request: HttpRequest) -> User:
    user = request.user
    if not is_agent(user):
        raise PermissionDenied(STAFF_ONLY)
    assert isinstance(user, User)
    return user


def _query(request: HttpRequest, user: User) -> InboxQuery:
    kind = request.GET.get("kind", "")
    return InboxQuery(
        user_id=user.pk,
        now=timezone.now(),
        kinds=frozenset([kind]) if source_for(kind) else frozenset(),
        **{flag: request.GET.get(flag) == "1" for flag in FLAGS},
    )


def _params(request: HttpRequest) -> dict[str, str]:
    """The filters of this request's query string, as one value each."""
    return {k: str(request.GET[k]) for k in (*FLAGS, "kind") if k in request.GET}


def _filter_links(request: HttpRequest, query: InboxQuery, inbox: Inbox) -> list[dict[str, Any]]:
    """Each filter as a link that toggles it, keeping the others."""
    current = _params(request)
    labels = {
        "mine": gettext("Mine"),
        "unassigned": gettext("Unassigned"),
        "breached": gettext("Breached"),
        "due_soon": gettext("Due soon"),
        "critical": gettext("Business-critical"),
    }
    links = []
    for flag in FLAGS:
        on = getattr(query, flag)
        params = dict(current)
        if on:
            params.pop(flag)
        else:
            params[flag] = "1"
        links.append({"label": labels[flag], "on": on, "href": "?" + urlencode(params)})
    for kind, label in [("", gettext("All kinds")), *inbox.kinds]:
        params = {k: v for k, v in current.items() if k != "kind"}
        if kind:
            params["kind"] = kind
        on = (kind in query.kinds) if kind else not query.kinds
        links.append({"label": label, "on": on, "href": "?" + urlencode(params), "kind": True})
    return links


def _clock(seconds: int) -> str:
    """12:05, 1:02:09: a count that reads the same in every language (as waited.js)."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _row(item: InboxItem, query: InboxQuery) -> dict[str, Any]:
    """What one row shows, computed here rather than by template filters and tags per row
    (a hundred rows on every live refresh)."""
    left = item.time_left(query.now)
    seconds = int(left.total_seconds()) if left is not None else 0
    overdue = left is not None and seconds < 0
    due_soon = left is not None and 0 <= seconds <= DUE_SOON.total_seconds()
    shown_left = None if left is None else _clock(abs(seconds))
    if overdue:
        shown_left = OVER % {"time": shown_left}
    return {
        "item": item,
        "title": f"#{item.item_id} {item.title}" if item.kind == TICKET else item.title,
        "waited": _clock(max(0, int((query.now - item.waiting_since).total_seconds()))),
        "waiting_iso": item.waiting_since.isoformat(),
        "due_iso": item.due_at.isoformat() if item.due_at else "",
        "left": shown_left,
        "css": " inbox-overdue" if overdue else " inbox-due-soon" if due_soon else "",
    }


@require_GET
def inbox_view(request: HttpRequest) -> HttpResponse:
    user = _agent(request)
    query = _query(request, user)
    inbox = inbox_for(user=user, query=query)
    page = reverse("staff_inbox")
    params = _params(request)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Inbox"),
        "inbox": inbox,
        "rows": [_row(item, query) for item in inbox.items],
        "now": query.now,
        "filters": _filter_links(request, query, inbox),
        "next": page + ("?" + urlencode(params) if params else ""),
        "fragment_url": page + "?" + urlencode({**params, "fragment": "1"}),
        "inbox_strings": {"over": gettext("{time} over")},
        "claim_url": reverse("staff_inbox_claim"),
        "words": {
            "critical": gettext("Business-critical"),
            "nobody": gettext("Nobody"),
            "claim": gettext("Claim"),
            "open": pgettext("inbox action", "Open"),
        },
    }
    if request.GET.get("fragment") == "1":
        return render(request, "admin/inbox/list.html", context)
    return render(request, "admin/inbox/inbox.html", context)


@require_GET
def inbox_count_view(request: HttpRequest) -> JsonResponse:
    """What waits for this specialist (theirs or nobody's): the tab title's count."""
    user = _agent(request)
    return JsonResponse({"waiting": inbox_waiting_count(user=user)})


@require_POST
def inbox_claim_view(request: HttpRequest) -> HttpResponse:
    user = _agent(request)
    source = source_for(request.POST.get("kind", ""))
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        item_id = int(request.POST.get("id", ""))
        if source is None:
            raise ValidationError(UNKNOWN_ITEM)
        source.claim(item_id, user)
    except ValueError:
        error = str(UNKNOWN_ITEM)
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        if isinstance(exc, PermissionDenied) and wants_json:
            return JsonResponse({"ok": False, "error": error}, status=403)
    else:
        error = ""
    if wants_json:
        return JsonResponse({"ok": not error, "error": error}, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, CLAIMED)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("staff_inbox")
    return HttpResponseRedirect(target)


# Behind the admin's login (staff only; others are sent to the admin login page).
urlpatterns = [
    path("", admin.site.admin_view(inbox_view), name="staff_inbox"),
    path("count/", admin.site.admin_view(inbox_count_view), name="staff_inbox_count"),
    path("claim/", admin.site.admin_view(inbox_claim_view), name="staff_inbox_claim"),
]
