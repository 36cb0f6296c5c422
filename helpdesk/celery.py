"""The Celery app: broker and options come from Django settings (CELERY_*)."""

import os
from typing import Any

from celery import Celery

# Connects the signals that carry a request's id into the tasks it queues.
from helpdesk.core import request_id  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REDBEAT_SETTINGS = ("redbeat_redis_url", "redbeat_redis_options")


@app.on_after_configure.connect
def _redbeat_settings(sender: Celery, **kwargs: Any) -> None:
    """celery-redbeat asks whether its settings are set by their bare names, which the
    CELERY_-namespaced Django settings do not list; without this it warns, and ignores
    its own redis options as if they were the broker's."""
    for name in REDBEAT_SETTINGS:
        value = sender.conf.first(name)
        if value is not None:
            sender.conf[name] = value
