"""The tickets app's value types: channels, statuses, event kinds, reply visibility.
Peers (callbacks, chat) use these without reaching into the tickets' models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_ON_CUSTOMER = "waiting", _("Waiting on customer")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


class ReplyVisibility(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    INTERNAL = "internal", _("Internal note")


class TicketEventKind(models.TextChoices):
    CREATED = "created", _("Submitted")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    RECLASSIFIED = "reclassified", _("Reclassified")
    FIRST_REPLY = "first_reply", _("First public reply")
    WARNED = "warned", _("Deadline warning")
    BREACHED = "breached", _("Breached")
    OVERDUE = "overdue", _("Overdue against target")
    EXEMPT = "exempt", _("Exempt")
    ESCALATED = "escalated", _("Escalated")
