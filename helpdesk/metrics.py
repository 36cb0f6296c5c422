"""GET /metrics for Prometheus: this process's metrics (django-prometheus's request and
response counters, the open sockets of an ASGI process) and the product's own gauges,
read from the database at scrape time, so every process reports the same product figures.

Access: with METRICS_TOKEN set, only requests with `Authorization: Bearer <token>`;
without it, only direct requests from the loopback interface (no X-Forwarded-For: a
request through the proxy comes from loopback too). deploy/nginx.conf refuses /metrics.
"""

import hmac
import ipaddress
import os
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from chat.models import Conversation, ConversationStatus, Message
from helpdesk.callbacks.models import CallbackRequest, CallbackStatus
from helpdesk.core.outbox.selectors import outbox_backlog
from sla.models import SweepHealth
from sla.sweep import targets


class ProductCollector:
    """The figures an operator of a help desk watches, one query each."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        last = SweepHealth.objects.filter(name="sla").values_list("last_run_at", flat=True)
        last_run = last.first()
        lag = GaugeMetricFamily(
            "premiumdesk_sla_sweep_lag_seconds",
            "Seconds since the last SLA sweep finished (-1: never ran).",
        )
        lag.add_metric([], (now - last_run).total_seconds() if last_run else -1)
        yield lag
        due = GaugeMetricFamily(
            "premiumdesk_sla_items_due",
            "Items whose next SLA check has come (the sweep's backlog), by kind.",
            labels=["target"],
        )
        breaches = GaugeMetricFamily(
            "premiumdesk_sla_breaches_last_day",
            "Items breached (or overdue) with a deadline in the last 24 hours, by kind.",
            labels=["target"],
        )
        for target in targets():
            rows = target.model._default_manager
            due.add_metric([target.name], rows.filter(sla_next_check_at__lte=now).count())
            breaches.add_metric(
                [target.name],
                rows.filter(breached_at__isnull=False, due_at__gte=now - timedelta(days=1)).count(),
            )
        yield due
        yield breaches
        waiting = GaugeMetricFamily(
            "premiumdesk_waiting", "Chats and callbacks waiting for a specialist.", labels=["kind"]
        )
        waiting.add_metric(
            ["chat"], Conversation.objects.filter(status=ConversationStatus.WAITING).count()
        )
        waiting.add_metric(
            ["callback"], CallbackRequest.objects.filter(status=CallbackStatus.WAITING).count()
        )
        yield waiting
        stored = GaugeMetricFamily(
            "premiumdesk_chat_messages_stored",
            "The highest chat message id: rate() of it is chat messages per second.",
        )
        stored.add_metric(
            [], Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        yield stored
        backlog = outbox_backlog()
        outbox = GaugeMetricFamily(
            "premiumdesk_outbox_deliveries", "Outbox rows by state.", labels=["state"]
        )
        outbox.add_metric(["waiting"], backlog.waiting)
        outbox.add_metric(["failed"], backlog.failed)
        outbox.add_metric(["stopped"], backlog.stopped)
        yield outbox
        age = GaugeMetricFamily(
            "premiumdesk_outbox_oldest_waiting_seconds",
            "Age of the oldest delivery still waiting (0: none).",
        )
        age.add_metric([], backlog.oldest_age.total_seconds() if backlog.oldest_age else 0)
        yield age


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(given.encode(), token.encode())
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404("No such page.")
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # gunicorn's workers, summed
        process: CollectorRegistry = CollectorRegistry()
        MultiProcessCollector(process)
    else:
        process = REGISTRY
    product = CollectorRegistry(auto_describe=False)
    product.register(ProductCollector())
    body = generate_latest(process) + generate_latest(product)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
