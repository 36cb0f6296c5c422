from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    # Written with its change; waits for a relay.
    PENDING = "pending", _("Waiting")
    # Claimed by a relay, which is delivering it now.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    # The last attempt failed; the relay tries again at `next_attempt_at`.
    FAILED = "failed", _("Failed, will retry")
    # Out of attempts, or interrupted mid-delivery (it may have gone out): only a lead's
    # Retry sends it again.
    STOPPED = "stopped", _("Stopped, needs a decision")


class OutboxMessage(models.Model):
    """One side effect to deliver, at most once per `key`."""

    kind = models.CharField(_("kind"), max_length=80)
    # Names the side effect ("tickets.created:42"): writing the same key twice is one
    # row, and a row is claimed before it is delivered, so nothing goes out twice.
    key = models.CharField(_("key"), max_length=200, unique=True)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing delivery")
        verbose_name_plural = _("outgoing deliveries")
        ordering = ["-created_at", "-pk"]
        permissions = [("retry_outboxmessage", _("Can retry a stopped or failed delivery"))]
        indexes = [
            # The relay's query: rows still to deliver, oldest due first.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=models.Q(status__in=["pending", "failed"]),
            ),
            models.Index(fields=["status", "created_at"], name="outbox_status_idx"),
        ]

    def __str__(self) -> str:
        return self.key
