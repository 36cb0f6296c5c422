"""A request id in every log line: taken from the proxy's X-Request-ID (deploy/nginx.conf
sets it) or made here, answered in the response's X-Request-ID, and carried into the
Celery tasks the request queues (a message header), so a ticket's confirmation email
can be traced back to the request that submitted it."""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.http import HttpRequest, HttpResponse

NONE = "-"
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default=NONE)
HEADER = "request_id"
# What an id from outside may look like (nginx's $request_id is 32 hex digits).
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _VALID.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record (NONE outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


@before_task_publish.connect
def _send_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = REQUEST_ID.get()
    if headers is not None and request_id != NONE:
        headers.setdefault(HEADER, request_id)


@task_prerun.connect
def _receive_request_id(task: Any = None, **kwargs: Any) -> None:
    request_id = getattr(task.request, HEADER, None) if task is not None else None
    REQUEST_ID.set(request_id or NONE)


@task_postrun.connect
def _forget_request_id(**kwargs: Any) -> None:
    REQUEST_ID.set(NONE)
