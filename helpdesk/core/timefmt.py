"""How the portal writes times: shared by templates (helpdesk_tags) and admin columns."""

from datetime import datetime

from django.utils import timezone


def time_left(due_at: datetime | None) -> str:
    """Signed time to a deadline: "in 25 min", "12 min late"."""
    if due_at is None:
        return ""
    seconds = int((due_at - timezone.now()).total_seconds())
    minutes = abs(seconds) // 60
    text = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    return f"in {text}" if seconds >= 0 else f"{text} late"
