"""Sending one webhook delivery (the outbox handler), and the notice when an endpoint
that failed for a day is disabled."""

import json
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from helpdesk.core.outbox.services import outbox_enqueue, outbox_handler
from helpdesk.core.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from helpdesk.core.webhooks.services import (
    WEBHOOK_DELIVERY,
    WEBHOOK_DISABLED,
    webhook_delivery_record,
    webhook_sign,
    webhook_url_check,
)

USER_AGENT = "PremiumDesk-Webhooks/1"


class WebhookFailed(Exception):
    """The receiver did not take the delivery; the outbox tries again with backoff."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could point anywhere, including a private address: it counts as a failure.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _failed(endpoint: WebhookEndpoint, delivery_id: int) -> bool:
    """Record a failure on the endpoint; True if it has now failed for long enough to be
    disabled (and then disable it and tell the lead who registered it)."""
    now = timezone.now()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if endpoint.failing_since is None:
            endpoint.failing_since = now
            endpoint.save(update_fields=["failing_since"])
            return False
        limit = timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS)
        if now - endpoint.failing_since < limit:
            return False
        endpoint.is_active = False
        endpoint.disabled_at = now
        endpoint.save(update_fields=["is_active", "disabled_at"])
        outbox_enqueue(
            kind=WEBHOOK_DISABLED,
            key=f"{WEBHOOK_DISABLED}:{endpoint.pk}:{int(now.timestamp())}",
            payload={"endpoint_id": endpoint.pk, "delivery_id": delivery_id},
        )
    return True


@outbox_handler(WEBHOOK_DELIVERY, retry_for=timedelta(hours=24))
def webhook_deliver(*, delivery_id: int) -> None:
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.state == DeliveryState.DELIVERED:
        return
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        webhook_delivery_record(
            delivery_id=delivery.pk,
            state=DeliveryState.GIVEN_UP,
            status_code=delivery.last_status_code,
            response_ms=delivery.last_response_ms,
            error="The endpoint is disabled.",
        )
        return
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    body = json.dumps(delivery.body, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Premium-Desk-Event": delivery.event,
        "Premium-Desk-Delivery": str(delivery.body.get("id", delivery.pk)),
        "Premium-Desk-Signature": webhook_sign(
            secret=endpoint.secret, timestamp=timestamp, body=body
        ),
    }
    started = time.monotonic()
    status: int | None = None
    try:
        webhook_url_check(endpoint.url)
        status = _post(endpoint.url, body, headers)
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except ValidationError as exc:
        error = "; ".join(str(m) for m in exc.messages)
    except (OSError, ValueError) as exc:
        error = f"{exc.__class__.__name__}: {exc}"
    elapsed = int((time.monotonic() - started) * 1000)
    if not error:
        webhook_delivery_record(
            delivery_id=delivery.pk,
            state=DeliveryState.DELIVERED,
            status_code=status,
            response_ms=elapsed,
            error="",
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return
    disabled = _failed(endpoint, delivery.pk)
    webhook_delivery_record(
        delivery_id=delivery.pk,
        state=DeliveryState.GIVEN_UP if disabled else DeliveryState.FAILING,
        status_code=status,
        response_ms=elapsed if status is not None else None,
        error=error,
    )
    if not disabled:
        raise WebhookFailed(error)


@outbox_handler(WEBHOOK_DISABLED)
def webhook_disabled_notice(*, endpoint_id: int, delivery_id: int) -> None:
    """Tell the lead who registered the endpoint (if they still can be told)."""
    endpoint = WebhookEndpoint.objects.select_related("created_by").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.created_by is None or not endpoint.created_by.is_active:
        return
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    last = delivery.last_error if delivery else ""
    send_mail(
        f"Webhook disabled: {endpoint.name}",
        f"Deliveries to {endpoint.url} have failed for "
        f"{settings.WEBHOOK_DISABLE_AFTER_HOURS} hours (last: {last or 'no answer'}), so the "
        "endpoint is disabled and receives nothing more. Fix the receiver, then turn the "
        "endpoint on again in the admin (Webhooks → Webhook endpoints) and resend what it "
        "missed from its deliveries.",
        None,
        [endpoint.created_by.email],
    )
