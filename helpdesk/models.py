from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from sla.models import DeadlineTracked


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


OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING_ON_CUSTOMER)


class Ticket(DeadlineTracked):
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="tickets"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets"
    )
    # The requester's role when they submitted: it decided the SLA and stays in reports.
    requester_role = models.CharField(_("requester role"), max_length=20, choices=Role.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=TicketChannel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=20_000)
    business_critical = models.BooleanField(_("business-critical"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta(DeadlineTracked.Meta):
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["due_at", "id"]
        indexes = [
            *DeadlineTracked.Meta.indexes,
            models.Index(fields=["account", "-created_at"], name="ticket_account_recent"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_recent"),
            models.Index(fields=["assignee", "due_at"], name="ticket_assignee_due"),
            # The agents' list: open tickets by deadline, the default admin view.
            models.Index(
                fields=["due_at", "id"],
                name="ticket_open_due",
                condition=Q(status__in=["new", "open", "waiting"]),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="ticket_unanswered_due",
                condition=Q(answered_at__isnull=True),
            ),
            # Admin filters on the open list: unassigned, and breached still open.
            models.Index(
                fields=["due_at", "id"],
                name="ticket_open_unassigned_due",
                condition=Q(assignee__isnull=True, status__in=["new", "open", "waiting"]),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="ticket_open_breached_due",
                condition=Q(breached_at__isnull=False, status__in=["new", "open", "waiting"]),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="ticket_critical_due",
                condition=Q(business_critical=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(business_critical=False) | Q(channel="email"),
                name="ticket_business_critical_only_email",
            ),
            models.CheckConstraint(
                condition=Q(business_critical=False) | Q(requester_role="super_admin"),
                name="ticket_business_critical_only_super_admin",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ReplyVisibility(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    INTERNAL = "internal", _("Internal note")


class Reply(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ticket_replies"
    )
    body = models.TextField(_("message"), max_length=20_000)
    visibility = models.CharField(_("visibility"), max_length=10, choices=ReplyVisibility.choices)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("reply")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="reply_ticket_time")]
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"{self.get_visibility_display()} on #{self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.visibility == ReplyVisibility.PUBLIC


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


class TicketEvent(models.Model):
    """The ticket's history: every change, with who made it (null: the system) and when."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=TicketEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    from_value = models.CharField(_("from"), max_length=200, blank=True)
    to_value = models.CharField(_("to"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.ticket_id}"


class SlaAttainmentReport(Ticket):
    """Admin entry point for the SLA attainment report (leads only, by permission)."""

    class Meta:
        proxy = True
        verbose_name = _("SLA attainment report")
        verbose_name_plural = _("SLA attainment report")


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
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="callbacks"
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta(DeadlineTracked.Meta):
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
        verbose_name = _("callback event")
        verbose_name_plural = _("callback events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on callback #{self.callback_id}"


# Knowledge base and the help dialog's deflection measure (PRODUCT.md §2).


def article_language_choices() -> list[tuple[str, str]]:
    """The portal's interface languages; a callable so migrations do not copy them."""
    return list(settings.LANGUAGES)


class Article(models.Model):
    """A knowledge-base article, written in Markdown in one language."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The article's address: lower-case letters, digits and hyphens."),
    )
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One or two sentences shown in suggestions.")
    )
    body = models.TextField(
        _("body"), help_text=_("Markdown. Raw HTML is not allowed and is shown as text.")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=article_language_choices, default="en"
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["language", "is_published"], name="article_language_published")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("article_detail", kwargs={"slug": self.slug})


class ArticleFeedback(models.Model):
    """A user's answer to "Was this article helpful?". One per user and article: a later
    vote replaces the earlier one. About documentation only; it never opens a ticket."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_feedback"
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("first voted"), default=timezone.now)
    updated_at = models.DateTimeField(_("last voted"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="feedback_one_vote_per_user")
        ]

    def __str__(self) -> str:
        return f"{'Yes' if self.helpful else 'No'} on {self.article}"


class HelpQuestion(models.Model):
    """One "Ask a question" in the help dialog, and how it ended: an article opened,
    Contact us reached, both or neither. Holds the question and nothing about who asked."""

    # Random id made by the dialog when it opens; later events of the same visit find
    # the row with it.
    key = models.UUIDField(_("visit key"), unique=True, editable=False)
    question = models.CharField(_("question"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    result_count = models.PositiveSmallIntegerField(_("suggestions shown"), default=0)
    asked_at = models.DateTimeField(_("asked"), default=timezone.now, db_index=True)
    opened_article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("article opened"),
    )
    opened_at = models.DateTimeField(_("article opened at"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("contact us reached at"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = _("help question")
        verbose_name_plural = _("help questions")

    def __str__(self) -> str:
        return self.question or "(Contact us without a question)"
