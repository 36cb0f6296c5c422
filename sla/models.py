import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SlaKind(models.TextChoices):
    GUARANTEED = "guaranteed", _("Guaranteed")
    TARGET = "target", _("Target")
    EXEMPT = "exempt", _("Exempt")


class SlaPolicy(models.TextChoices):
    """PRODUCT.md §4: who submitted what decides the first-reply promise."""

    STANDARD = "standard", _("Super admin, standard")
    BUSINESS_CRITICAL = "business_critical", _("Super admin, business-critical")
    REGULAR_TARGET = "regular_target", _("Regular user, target")
    CALLBACK = "callback", _("Callback request")
    CHAT_WAIT = "chat_wait", _("Waiting chat")


class BusinessCalendar(models.Model):
    """The support team's business hours: time zone, weekly hours and holidays.
    The one-business-day target of regular users' tickets follows it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    is_default = models.BooleanField(
        _("default calendar"), default=False, help_text=_("Used for every ticket's target.")
    )
    business_day_minutes = models.PositiveIntegerField(
        _("length of one business day (minutes)"),
        default=480,
        help_text=_("The one-business-day target is this much business time."),
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.time_zone not in zoneinfo.available_timezones():
            raise ValidationError({"time_zone": _("Unknown time zone.")})


class BusinessHours(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.IntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("business hours")
        ordering = ["calendar", "weekday", "opens"]
        verbose_name_plural = _("business hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="hours_close_after_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_holiday_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date})"


class ResponseTimeException(models.Model):
    """A period (declared incident, maintenance window) during which guarantees do not
    apply: a ticket whose clock overlaps it is exempt, not breached."""

    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    reason = models.CharField(_("reason"), max_length=200)
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response_time_exceptions",
        help_text=_("Leave empty for an exception that covers every account."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("response-time exception")
        verbose_name_plural = _("response-time exceptions")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["ends_at", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="exception_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} UTC)"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The exception must end after it starts.")})


class DeadlineTracked(models.Model):
    """The first-response clock of anything the SLA sweep watches (tickets, callback
    requests, waiting chats). `sla_next_check_at` is the next instant the sweep has work
    on the row (warning, breach or next escalation level), or null when it has none, so
    the sweep is one indexed range query whatever the number of open items."""

    # Every concrete clock defines its start, with its own label; the sweep and the
    # reports read it. An annotation only: no field here.
    created_at: datetime

    sla_policy = models.CharField(_("SLA policy"), max_length=20, choices=SlaPolicy.choices)
    sla_kind = models.CharField(_("SLA kind"), max_length=12, choices=SlaKind.choices)
    due_at = models.DateTimeField(_("deadline"))
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    answered_at = models.DateTimeField(_("first response"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    sla_exception = models.ForeignKey(
        "sla.ResponseTimeException",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("response-time exception"),
    )
    sla_next_check_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        indexes = [
            models.Index(fields=["due_at", "id"], name="%(class)s_due"),
            models.Index(
                fields=["sla_next_check_at"],
                name="%(class)s_sweep",
                condition=Q(sla_next_check_at__isnull=False),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="%(class)s_breach",
                condition=Q(breached_at__isnull=False),
            ),
        ]


class SweepHealth(models.Model):
    """One row per sweep name: when the SLA sweep last finished, so leads can be told
    when beat or the workers have stopped."""

    name = models.CharField(max_length=50, unique=True, default="sla")
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(default=0)
    last_processed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("sweep health")
        verbose_name_plural = _("sweep health")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_run_at}"
