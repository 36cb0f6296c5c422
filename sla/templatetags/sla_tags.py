from django import template

from accounts.permissions import is_lead
from sla.sweep import sweep_is_stale

register = template.Library()


@register.inclusion_tag("admin/sla_health.html", takes_context=True)
def sla_health_banner(context) -> dict:
    """Leads see a warning when no SLA sweep has run for three intervals."""
    request = context.get("request")
    if request is None or not is_lead(request.user):
        return {"stale": False}
    last = sweep_is_stale()
    return {"stale": last is not False, "last": last}
