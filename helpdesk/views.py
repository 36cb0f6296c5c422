from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from health_check.views import HealthCheckView

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


# Readiness: the database, the cache, the broker, the channel layer, a Celery worker
# answering a ping, the SLA sweep having run within three intervals (so a worker serves
# the sla queue) and no outbox delivery waiting too long (so one serves the default
# queue); JSON with ?format=json or Accept. Answers 500 with the reason of each failing
# check.
readyz = HealthCheckView.as_view(
    checks=(
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "helpdesk.core.health.Broker",
        "helpdesk.core.health.ChannelLayer",
        "helpdesk.core.health.WorkerAnswers",
        "sla.health.SweepRecent",
        "helpdesk.core.outbox.health.OutboxBacklog",
    )
)


def moved_admin_page(request: HttpRequest, model: str, rest: str) -> HttpResponse:
    """An old admin/helpdesk/<model>/... address, sent on to the model's app."""
    if model not in MOVED_ADMIN_PAGES:
        raise Http404("No such page.")
    target = f"{reverse('admin:index')}{MOVED_ADMIN_PAGES[model]}/{model}/{rest}"
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    return HttpResponsePermanentRedirect(target)
