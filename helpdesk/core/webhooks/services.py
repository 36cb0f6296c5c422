"""Webhook endpoints and deliveries. `webhook_emit` is called by the apps' services in
the transaction of their change; each delivery is an outbox row (kind webhooks.deliver),
so it leaves after commit, never blocks the request, and is retried for a day."""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.core.outbox.services import outbox_enqueue
from helpdesk.core.textclean import clean_line
from helpdesk.core.webhooks.events import WebhookEvent
from helpdesk.core.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint

WEBHOOK_DELIVERY = "webhooks.deliver"
WEBHOOK_DISABLED = "webhooks.disabled"

URL_SCHEME = _("Use an http:// or https:// address.")
URL_PRIVATE = _(
    "This address is on a private, loopback or reserved network; webhooks only go to public "
    "addresses."
)
URL_UNRESOLVED = _("This host name does not resolve.")
EVENTS_REQUIRED = _("Choose at least one event.")
EVENT_UNKNOWN = _("Unknown event: %(event)s.")
NAME_REQUIRED = _("Give the endpoint a name.")
NAME_TOO_LONG = _("Keep the name under %(limit)d characters.")
NOTHING_TO_RESEND = _("Choose at least one delivery to resend.")


def _public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def webhook_url_check(url: str) -> None:
    """Refuse addresses a webhook must not reach: other schemes, and (unless
    WEBHOOKS_ALLOW_PRIVATE) hosts that resolve to a private, loopback or reserved network.
    Checked when an endpoint is saved and again before every delivery."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": URL_SCHEME})
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError({"url": URL_UNRESOLVED}) from exc
    if not infos or not all(_public_address(str(info[4][0])) for info in infos):
        raise ValidationError({"url": URL_PRIVATE})


def _clean(*, name: str, url: str, events: Iterable[str]) -> tuple[str, str, list[str]]:
    name = clean_line(
        name,
        field="name",
        max_length=100,
        required_message=NAME_REQUIRED,
        too_long_message=NAME_TOO_LONG,
    )
    chosen = list(dict.fromkeys(events))
    if not chosen:
        raise ValidationError({"events": EVENTS_REQUIRED})
    for event in chosen:
        if event not in WebhookEvent.values:
            raise ValidationError({"events": EVENT_UNKNOWN % {"event": event}})
    webhook_url_check(url)
    return name, url, chosen


def webhook_endpoint_create(
    *, name: str, url: str, events: Iterable[str], actor: Any
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret, which the caller shows once."""
    name, url, chosen = _clean(name=name, url=url, events=events)
    endpoint = WebhookEndpoint(
        name=name,
        url=url,
        events=chosen,
        secret="whsec_" + secrets.token_urlsafe(32),
        created_by=actor,
    )
    endpoint.full_clean(exclude=["created_by"])
    with transaction.atomic():
        endpoint.save()
    return endpoint, endpoint.secret


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, name: str, url: str, events: Iterable[str], is_active: bool
) -> WebhookEndpoint:
    """Change an endpoint; turning a disabled one on again starts its failure clock anew."""
    name, url, chosen = _clean(name=name, url=url, events=events)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.name, endpoint.url, endpoint.events = name, url, chosen
        if is_active and not endpoint.is_active:
            endpoint.failing_since = None
            endpoint.disabled_at = None
        endpoint.is_active = is_active
        endpoint.full_clean(exclude=["created_by"])
        endpoint.save()
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


def _body(event: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "event": event,
        "created_at": timezone.now().isoformat(),
        "data": data,
    }


def _queue(deliveries: list[WebhookDelivery]) -> None:
    for delivery in deliveries:
        outbox_enqueue(
            kind=WEBHOOK_DELIVERY,
            key=f"{WEBHOOK_DELIVERY}:{delivery.pk}",
            payload={"delivery_id": delivery.pk},
        )


def webhook_emit(*, event: WebhookEvent, key: str, data: dict[str, Any]) -> int:
    """Queue `event` for every active endpoint that subscribed to it, inside the caller's
    transaction. `key` names the occurrence ("ticket.created:42"): emitting it again
    sends nothing more. Returns how many deliveries were queued."""
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(is_active=True) if event.value in e.events
    ]
    if not endpoints:
        return 0
    # Dates and decimals as JSON text, as they will be sent.
    data = json.loads(DjangoJSONEncoder().encode(data))
    with transaction.atomic():
        fresh = []
        for endpoint in endpoints:
            delivery, created = WebhookDelivery.objects.get_or_create(
                endpoint=endpoint,
                key=key,
                defaults={"event": event.value, "body": _body(event.value, data)},
            )
            if created:
                fresh.append(delivery)
        _queue(fresh)
    return len(fresh)


def webhook_resend(*, delivery_ids: Iterable[int]) -> int:
    """A lead's Resend: each chosen delivery goes again as a new delivery (a new id in its
    body, so receivers that dedupe by id accept it). Returns how many were queued."""
    ids = list(delivery_ids)
    if not ids:
        raise ValidationError(NOTHING_TO_RESEND)
    with transaction.atomic():
        copies = [
            WebhookDelivery.objects.create(
                endpoint=old.endpoint,
                event=old.event,
                key=f"{old.key}:resend:{uuid.uuid4().hex[:12]}",
                body={**old.body, "id": str(uuid.uuid4())},
            )
            for old in WebhookDelivery.objects.filter(
                pk__in=ids, endpoint__is_active=True
            ).select_related("endpoint")
        ]
        _queue(copies)
    return len(copies)


def webhook_sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 over "<timestamp>.<body>"."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def webhook_delivery_record(
    *,
    delivery_id: int,
    state: DeliveryState,
    status_code: int | None,
    response_ms: int | None,
    error: str,
) -> None:
    values: dict[str, Any] = {
        "state": state,
        "last_status_code": status_code,
        "last_response_ms": response_ms,
        "last_error": error[:2000],
    }
    if state == DeliveryState.DELIVERED:
        values["delivered_at"] = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery_id).update(**values)
