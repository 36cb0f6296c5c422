"""Satisfaction surveys: one per solved ticket or ended chat, answered (1-5 and a
comment) by the customer it was asked of. The item is named by kind and id, so this app
knows nothing of tickets' or chats' models: they open the survey through the service."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RatedKind(models.TextChoices):
    TICKET = "ticket", _("Ticket")
    CHAT = "chat", _("Chat")


class Survey(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=RatedKind.choices)
    item_id = models.PositiveBigIntegerField(_("item"))
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="csat_surveys"
    )
    # Who handled the item when it was solved or ended: the report's "specialist".
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="csat_surveys_handled",
    )
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=2_000)
    first_rated_at = models.DateTimeField(_("first rated"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.UniqueConstraint(fields=["kind", "item_id"], name="csat_one_survey_per_item"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="csat_rating_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["first_rated_at"], name="csat_rated")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.item_id}: {self.rating or '-'}"


class CsatReport(Survey):
    """Admin entry point for the leads' satisfaction report."""

    class Meta:
        proxy = True
        verbose_name = _("satisfaction report")
        verbose_name_plural = _("satisfaction report")
