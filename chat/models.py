from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from sla.models import DeadlineTracked


class ConversationStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


OPEN_STATUSES = (ConversationStatus.WAITING, ConversationStatus.ACTIVE)


class SenderRole(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    SPECIALIST = "specialist", _("Specialist")


class Conversation(DeadlineTracked):
    """One live chat between a customer and (once accepted) a specialist. Its wait is a
    deadline in the SLA sweep: `due_at` is created + CHAT_WAIT_LIMIT_SECONDS and the clock
    stops (`answered_at`) at the first specialist message."""

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="chat_conversations"
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chat_conversations"
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="chat_conversations_handled",
        null=True,
        blank=True,
    )
    topic = models.CharField(_("topic"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConversationStatus.choices,
        default=ConversationStatus.WAITING,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    # The last sequence number handed out; messages take last_seq + 1 under a row lock.
    last_seq = models.PositiveIntegerField(default=0)
    # Highest sequence number each side's client confirmed it received.
    customer_delivered_seq = models.PositiveIntegerField(default=0)
    specialist_delivered_seq = models.PositiveIntegerField(default=0)
    # Highest sequence number each side had on screen (the chat visible to them): "Seen".
    customer_seen_seq = models.PositiveIntegerField(default=0)
    specialist_seen_seq = models.PositiveIntegerField(default=0)
    transcript_emailed_at = models.DateTimeField(null=True, blank=True)
    # The ticket a specialist turned this chat into (at most one).
    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        related_name="chat_conversation",
        null=True,
        blank=True,
    )

    class Meta(DeadlineTracked.Meta):
        verbose_name_plural = _("chats")
        ordering = ["-created_at"]
        indexes = [
            *DeadlineTracked.Meta.indexes,
            models.Index(fields=["status", "created_at"], name="chat_conv_status_created"),
        ]
        constraints = [
            # A customer has at most one open chat: a reload resumes it instead of queueing twice.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status__in=["waiting", "active"]),
                name="chat_one_open_conversation_per_customer",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(specialist__isnull=False),
                name="chat_accepted_has_specialist",
            ),
        ]
        verbose_name = _("chat")

    def __str__(self) -> str:
        return f"Chat #{self.pk}: {self.topic}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField(_("sequence number"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chat_messages"
    )
    sender_role = models.CharField(max_length=10, choices=SenderRole.choices)
    body = models.TextField(_("message"))
    # Chosen by the sending client, so a message re-sent after a lost connection is
    # stored once.
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq"),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_id"],
                condition=~Q(client_id=""),
                name="chat_message_client_id",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.body[:40]}"


class PresenceStatus(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class SpecialistPresence(models.Model):
    """Kept by the console's heartbeat; stale rows read as offline."""

    specialist = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_presence"
    )
    status = models.CharField(
        max_length=10, choices=PresenceStatus.choices, default=PresenceStatus.OFFLINE
    )
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.specialist}: {self.status}"


class MessageAttachment(models.Model):
    """The file a chat message carries (helpdesk.core.files stores it): the message's
    body names it, so transcripts and emails keep the name; the file is downloaded only
    by who may read the chat."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="attachment")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    path = models.CharField(max_length=300)
    thumbnail_path = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("chat attachment")
        verbose_name_plural = _("chat attachments")

    def __str__(self) -> str:
        return self.name
