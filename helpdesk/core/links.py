"""Absolute links to the portal, for emails: PORTAL_BASE_URL, read at call time."""

from django.conf import settings


def portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path
