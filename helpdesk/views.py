from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse

# The admin pages of these models were under admin/helpdesk/ until tickets, callbacks and
# the knowledge base became apps; emails sent before then still link there.
MOVED_ADMIN_PAGES = {
    "ticket": "tickets",
    "reply": "tickets",
    "ticketevent": "tickets",
    "slaattainmentreport": "tickets",
    "callbackrequest": "callbacks",
    "callbackattempt": "callbacks",
    "callbackevent": "callbacks",
    "article": "kb",
    "articlefeedback": "kb",
    "helpquestion": "kb",
}


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for load balancers; also the benchmarks' trivial baseline view."""
    return HttpResponse("ok", content_type="text/plain")


def moved_admin_page(request: HttpRequest, model: str, rest: str) -> HttpResponse:
    """An old admin/helpdesk/<model>/... address, sent on to the model's app."""
    if model not in MOVED_ADMIN_PAGES:
        raise Http404("No such page.")
    target = f"{reverse('admin:index')}{MOVED_ADMIN_PAGES[model]}/{model}/{rest}"
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    return HttpResponsePermanentRedirect(target)
