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


class InboundOutcome(models.TextChoices):
    PROCESSING = "processing", _("Processing")
    REPLY = "reply", _("Added to a ticket")
    TICKET = "ticket", _("New ticket")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")


class InboundReason(models.TextChoices):
    """Why an inbound email was not turned into a reply or a ticket."""

    UNKNOWN_SENDER = "unknown_sender", _("Unknown sender")
    NOT_ENTITLED = "not_entitled", _("Not entitled to email support")
    NOT_ALLOWED = "not_allowed", _("Sender may not reply to this ticket")
    TICKET_CLOSED = "ticket_closed", _("Ticket closed")
    FORGED_TOKEN = "forged_token", _("Forged reply address")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    BOUNCE = "bounce", _("Bounce")
    LOOP = "loop", _("Mail loop")
    TOO_LARGE = "too_large", _("Too large")
    MALFORMED = "malformed", _("Malformed message")
    CHARSET = "charset", _("Undecodable text")
    EMPTY = "empty", _("No text")
    INVALID = "invalid", _("Refused by the ticket rules")
    DUPLICATE = "duplicate", _("Already processed")
    ERROR = "error", _("Processing error")
