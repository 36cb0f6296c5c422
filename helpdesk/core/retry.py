"""Celery's retry options as a typed dict: `@shared_task(**RETRY)` with a plain dict of
options would leave every decorated task untyped, and its `.delay()` calls unchecked."""

from typing import TypedDict


class RetryPolicy(TypedDict):
    autoretry_for: tuple[type[Exception], ...]
    retry_backoff: bool
    max_retries: int
