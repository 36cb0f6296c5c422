"""The events an endpoint may subscribe to: a public contract, documented in the README."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_REPLIED = "ticket.replied", _("Ticket replied (public replies)")
    TICKET_SOLVED = "ticket.solved", _("Ticket solved")
    SLA_WARNING = "sla.warning", _("SLA warning")
    SLA_BREACHED = "sla.breached", _("SLA breached")
    SLA_ESCALATED = "sla.escalated", _("SLA escalated")
    CHAT_STARTED = "chat.started", _("Chat started")
    CHAT_ENDED = "chat.ended", _("Chat ended")
    CALLBACK_REQUESTED = "callback.requested", _("Callback requested")
    CALLBACK_COMPLETED = "callback.completed", _("Callback completed")
