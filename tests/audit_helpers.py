"""Shared by the audit log tests: a forged X-Forwarded-For, and the entries a test's own
action wrote (factories' saves write entries of their own)."""

from auditlog.models import LogEntry
from django.db import models

# With TRUSTED_PROXIES = 1 the client is the last entry; "1.1.1.1" is what it forged.
FORGED = {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 2.2.2.2"}
CLIENT = "2.2.2.2"


def mark() -> int:
    """The newest entry so far: what the test does next comes after it."""
    return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def since(after: int, obj: models.Model | None = None) -> list[LogEntry]:
    entries = LogEntry.objects.get_for_object(obj) if obj else LogEntry.objects.all()
    return list(entries.filter(pk__gt=after).order_by("pk"))
