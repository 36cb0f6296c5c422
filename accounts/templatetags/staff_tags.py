from typing import Any

from django import template

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
