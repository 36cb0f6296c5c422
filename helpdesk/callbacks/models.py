"""Premium phone support: callback requests, the calls made on them and their SLA
history. The tables keep the names they had in the `helpdesk` app."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.tickets.choices import TicketEventKind
from sla.models import DeadlineTracked


class CallbackStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    ABANDONED = "abandoned", _("Abandoned")
    CANCELLED = "cancelled", _("Cancelled")


class CallbackRequest(DeadlineTracked):
    """Premium phone support: the customer asks to be called back; the clock runs until
    a specialist claims (starts) the call."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="callback_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="callback_requests"
    )
    phone = models.CharField(_("phone number (E.164)"), max_length=20)
    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), max_length=5_000, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CallbackStatus.choices, default=CallbackStatus.WAITING
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="held_callbacks",
        verbose_name=_("specialist"),
    )
    notes = models.TextField(_("notes"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="callbacks"
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta(DeadlineTracked.Meta):
        db_table = "helpdesk_callbackrequest"
        verbose_name_plural = _("callback requests")
        ordering = ["created_at", "id"]
        indexes = [
            *DeadlineTracked.Meta.indexes,
            models.Index(
                fields=["created_at", "id"],
                name="callback_waiting_queue",
                condition=Q(status="waiting"),
            ),
            models.Index(fields=["requester", "-created_at"], name="callback_requester_recent"),
        ]
        verbose_name = _("callback request")

    def __str__(self) -> str:
        return f"Callback #{self.pk} {self.topic}"


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Voicemail")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class CallbackAttempt(models.Model):
    callback = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="attempts")
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    outcome = models.CharField(_("outcome"), max_length=15, choices=CallbackOutcome.choices)
    note = models.TextField(_("note"), blank=True, max_length=5_000)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        db_table = "helpdesk_callbackattempt"
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on callback #{self.callback_id}"


class CallbackEvent(models.Model):
    """SLA history of a callback request: warnings and escalations, dated when due."""

    callback = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=TicketEventKind.choices)
    level = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        db_table = "helpdesk_callbackevent"
        verbose_name = _("callback event")
        verbose_name_plural = _("callback events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on callback #{self.callback_id}"
