"""Tickets, their replies and their history. The tables keep the names they had when
these models lived in the `helpdesk` app, so databases from before the move keep their rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from helpdesk.tickets.choices import (
    InboundOutcome,
    InboundReason,
    ReplyVisibility,
    TicketChannel,
    TicketEventKind,
    TicketStatus,
)
from helpdesk.tickets.placeholders import placeholders_check
from sla.models import DeadlineTracked

__all__ = [
    "OPEN_STATUSES",
    "Attachment",
    "InboundEmail",
    "InboundOutcome",
    "InboundReason",
    "Macro",
    "Reply",
    "ReplyVisibility",
    "SlaAttainmentReport",
    "Ticket",
    "TicketChannel",
    "TicketEvent",
    "TicketEventKind",
    "TicketMessageId",
    "TicketStatus",
]


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
    # When the ticket was solved or closed (the first of the two since it was last
    # reopened; cleared when reopened): an unanswered ticket's clock stopped then, which
    # the SLA report needs to tell a stop from a breach.
    resolved_at = models.DateTimeField(_("solved or closed"), null=True, blank=True)
    # The portal language of the submission: the ticket's emails are written in it.
    language = models.CharField(_("language"), max_length=8, default="en")

    class Meta(DeadlineTracked.Meta):
        db_table = "helpdesk_ticket"
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["due_at", "id"]
        indexes = [
            *DeadlineTracked.Meta.indexes,
            models.Index(fields=["account", "-created_at"], name="ticket_account_recent"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_recent"),
            models.Index(fields=["assignee", "due_at"], name="ticket_assignee_due"),
            # The SLA report: a range of created_at carrying every column it groups and
            # counts, so PostgreSQL answers it with an index-only scan. Key columns rather
            # than INCLUDE, so SQLite (no covering indexes) gets the same index.
            models.Index(
                fields=[
                    "created_at",
                    "sla_policy",
                    "sla_kind",
                    "due_at",
                    "answered_at",
                    "breached_at",
                    "resolved_at",
                    "assignee",
                ],
                name="ticket_report",
            ),
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
            # The staff inbox (sla.inbox): open tickets without a first reply by deadline,
            # business-critical first at equal time; then the answered ones by last change.
            models.Index(
                fields=["due_at", "-business_critical", "id"],
                name="ticket_inbox_due",
                condition=Q(answered_at__isnull=True, status__in=["new", "open"]),
            ),
            models.Index(
                fields=["updated_at", "id"],
                name="ticket_inbox_answered",
                condition=Q(answered_at__isnull=False, status__in=["new", "open"]),
            ),
            # The tab title's count: open tickets that are mine or nobody's, index only.
            models.Index(
                fields=["assignee"],
                name="ticket_inbox_assignee",
                condition=Q(status__in=["new", "open"]),
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


class Reply(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ticket_replies"
    )
    body = models.TextField(_("message"), max_length=20_000)
    visibility = models.CharField(_("visibility"), max_length=10, choices=ReplyVisibility.choices)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        db_table = "helpdesk_reply"
        verbose_name = _("reply")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="reply_ticket_time")]
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"{self.get_visibility_display()} on #{self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.visibility == ReplyVisibility.PUBLIC


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
        db_table = "helpdesk_ticketevent"
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


class TicketMessageId(models.Model):
    """Every email of a ticket, sent or received, by its Message-ID: an email we send
    refers to the ones before it (In-Reply-To, References), and a reply that lost its
    reply address still finds its ticket through them."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="message_ids")
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket email")
        verbose_name_plural = _("ticket emails")
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket", "id"], name="ticket_message_id_order")]

    def __str__(self) -> str:
        return self.message_id


class InboundEmail(models.Model):
    """The inbound log: one row per message that reached the support mailbox (IMAP or a
    provider's webhook), with what became of it. The unique key is claimed before the
    message is processed, so two pollers never process one message twice."""

    key = models.CharField(_("key"), max_length=255, unique=True)
    transport = models.CharField(_("transport"), max_length=10)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=InboundOutcome.choices,
        default=InboundOutcome.PROCESSING,
    )
    reason = models.CharField(_("reason"), max_length=20, choices=InboundReason.choices, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_emails"
    )
    reply = models.ForeignKey(Reply, on_delete=models.SET_NULL, null=True, blank=True)
    answered = models.BooleanField(_("answered"), default=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["outcome", "-received_at"], name="inbound_outcome_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


class Attachment(models.Model):
    """A file on a ticket (its description) or on one of its replies. The file lives in
    the attachment storage under `path`, never under a public URL: it is downloaded
    through a view that checks the viewer may see the ticket (and the reply)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    path = models.CharField(max_length=255, editable=False)
    # A PNG re-encoded by the server from an image, shown instead of the image itself.
    thumbnail_path = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="attachment_ticket_time")]

    def __str__(self) -> str:
        return self.name


class Macro(models.Model):
    """A canned answer: leads write them, specialists insert them in the composer. The
    body's placeholders are filled for the ticket (helpdesk.tickets.macros); sending a
    reply made from it may also set the ticket's status."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    body = models.TextField(_("text"), max_length=20_000)
    status = models.CharField(
        _("status after sending"),
        max_length=10,
        choices=TicketStatus.choices,
        blank=True,
        help_text=_("Leave empty to keep the ticket's status."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        placeholders_check(self.body)
