from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.translation import gettext

from accounts.assignment import chat_capacity_of
from accounts.permissions import is_agent

register = template.Library()


@register.inclusion_tag("admin/availability_toggle.html", takes_context=True)
def availability_toggle(context: dict[str, Any]) -> dict[str, Any]:
    """Available / Away and the chat capacity, in the admin header of specialists."""
    request = context["request"]
    user = request.user
    # The permission is cached on the user (a refused admin form is shown again when no
    # query may run); only a superuser, who has every permission, is asked the groups.
    if not user.has_perm("accounts.view_specialist") or (user.is_superuser and not is_agent(user)):
        return {"show": False}
    return {
        "show": True,
        "available": user.available,
        "capacity": chat_capacity_of(user),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter(name="is_agent")
def is_agent_filter(user: Any) -> bool:
    """Specialists and leads: whom the header shows the inbox and the console."""
    return is_agent(user)


@register.simple_tag
def staff_alert_strings() -> str:
    """The staff alerts' and notifications' words, for static/js/staff-alerts.js."""
    strings = {
        "warned": gettext("Deadline soon"),
        "breached": gettext("SLA breached"),
        "escalated": gettext("Escalated"),
        "overdue": gettext("Overdue against target"),
        "level": gettext("level {level}"),
        "more": gettext("…and {count} more"),
        "dismiss": gettext("Dismiss"),
        "new_ticket": gettext("New ticket"),
        "new_chat": gettext("New waiting chat"),
        "new_callback": gettext("New callback request"),
        "message": gettext("New message from the customer"),
        "sound_on": gettext("Sound on"),
        "sound_off": gettext("Sound off"),
        "desktop": gettext("Desktop notifications"),
        "desktop_on": gettext("Desktop notifications on"),
        "desktop_blocked": gettext("Desktop notifications blocked"),
    }
    return json_script(strings, "staff-alert-strings")
