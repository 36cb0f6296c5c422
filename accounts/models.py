import zoneinfo
from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Hub(models.TextChoices):
    MARKETING = "marketing", _("Marketing Hub")
    SALES = "sales", _("Sales Hub")
    SERVICE = "service", _("Service Hub")
    DATA = "data", _("Data Hub")
    CONTENT = "content", _("Content Hub")
    SMART_CRM = "smart_crm", _("Smart CRM")


class Tier(models.TextChoices):
    STARTER = "starter", _("Starter")
    PROFESSIONAL = "professional", _("Professional")
    ENTERPRISE = "enterprise", _("Enterprise")


class Role(models.TextChoices):
    SUPER_ADMIN = "super_admin", _("Super admin")
    REGULAR = "regular", _("Regular user")


class PremiumChannel(models.TextChoices):
    CHAT = "chat", _("Premium chat")
    EMAIL = "email", _("Premium email support")
    PHONE = "phone", _("Premium phone support")


class Account(models.Model):
    """A customer organisation."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    # Default region for parsing phone numbers written without a country code.
    country = models.CharField(_("country"), max_length=2, default="US")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name_plural = _("customer accounts")
        ordering = ["name"]
        verbose_name = _("customer account")

    def __str__(self) -> str:
        return self.name


class ActivePeriodQuerySet(models.QuerySet[Any]):
    def active_at(self, at: datetime) -> "ActivePeriodQuerySet":
        return self.filter(Q(starts_at__lte=at), Q(ends_at__isnull=True) | Q(ends_at__gt=at))


class Subscription(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="subscriptions")
    hub = models.CharField(_("hub"), max_length=20, choices=Hub.choices)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)

    objects = ActivePeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["account", "hub"]
        indexes = [models.Index(fields=["account", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="subscription_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.get_hub_display()} {self.get_tier_display()}"

    def is_active_at(self, at: datetime) -> bool:
        return self.starts_at <= at and (self.ends_at is None or self.ends_at > at)


class PremiumSupportPurchase(models.Model):
    """The Premium Support add-on bought by an account for a period."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="premium_support_purchases"
    )
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    reference = models.CharField(_("order reference"), max_length=64, blank=True)

    objects = ActivePeriodQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("Premium Support purchases")
        ordering = ["account", "-starts_at"]
        indexes = [models.Index(fields=["account", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="purchase_ends_after_start",
            )
        ]
        verbose_name = _("Premium Support purchase")

    def __str__(self) -> str:
        return f"Premium Support for {self.account} from {self.starts_at:%Y-%m-%d}"

    def is_active_at(self, at: datetime) -> bool:
        return self.starts_at <= at and (self.ends_at is None or self.ends_at > at)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email: str | None) -> "User":
        # Emails are stored lower-case, so logins ignore case without losing the index.
        return self.get(email=(email or "").strip().lower())

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who logs in: customer users (with an account and a role) and staff."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        help_text=_("Customer users belong to one account; staff have none."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # False until the user chose a zone on their profile or their browser's was saved:
    # the portal detects it once.
    time_zone_chosen = models.BooleanField(_("time zone chosen"), default=False)
    # The portal's language for this user ("" follows the browser); the profile sets it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Staff only. Available: offered new chats and (with AUTO_ASSIGN) new tickets; Away:
    # none. The specialist sets it from the admin header or the chat console.
    available = models.BooleanField(_("available"), default=True)
    # Most chats held at once; empty follows CHAT_DEFAULT_CAPACITY. Leads set it.
    chat_capacity = models.PositiveSmallIntegerField(
        _("chat capacity"),
        null=True,
        blank=True,
        help_text=_("Most chats held at once. Empty: the default for every specialist."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            # A customer user has exactly one account and a role; staff have neither.
            models.CheckConstraint(
                condition=(Q(account__isnull=True) & Q(role=""))
                | (Q(account__isnull=False) & ~Q(role="")),
                name="user_account_has_role",
            ),
            models.CheckConstraint(
                condition=~(Q(is_staff=True) & Q(account__isnull=False)),
                name="user_staff_has_no_account",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]

    def clean(self) -> None:
        super().clean()
        self.email = self.email.lower()
        if self.account_id and not self.role:
            raise ValidationError({"role": _("A customer user needs a role.")})
        if self.role and not self.account_id:
            raise ValidationError({"account": _("A user with a role must belong to an account.")})
        if self.is_staff and self.account_id:
            raise ValidationError(
                {"account": _("Staff users do not belong to a customer account.")}
            )
        if self.time_zone not in zoneinfo.available_timezones():
            raise ValidationError({"time_zone": _("Unknown time zone.")})


class Specialist(User):
    """Staff who answer customers, as leads manage them: availability and chat capacity."""

    class Meta:
        proxy = True
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")


class AssignmentTurn(models.Model):
    """Whose turn it is in a round robin (one row per pool: tickets, chats). Locked while
    a pick is made, so two picks at once never choose from the same state."""

    pool = models.CharField(max_length=20, primary_key=True)
    last_assignee = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.pool}: {self.last_assignee_id}"
