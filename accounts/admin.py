"""Customers and staff in the admin: accounts with their subscriptions, purchases and
users, login lockouts. Every change and deletion goes through the accounts services."""

from contextvars import ContextVar
from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.forms import UserCreateForm, UserEditForm
from accounts.models import Account, PremiumSupportPurchase, Subscription, User
from accounts.permissions import is_staff_record, staff_record_excluded
from accounts.services import login_lockout_lift
from helpdesk.core.adminforms import ServiceChangeForm, ServiceInline, ServiceModelAdmin
from helpdesk.core.textclean import CleanTextAdminMixin


def _subscription_save(form: forms.ModelForm, account: Account, actor: User) -> Subscription:
    data = form.cleaned_data
    return services.subscription_save(
        subscription=form.instance,
        actor=actor,
        account=account,
        hub=data["hub"],
        tier=data["tier"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
    )


def _purchase_save(form: forms.ModelForm, account: Account, actor: User) -> PremiumSupportPurchase:
    data = form.cleaned_data
    return services.premium_support_purchase_save(
        purchase=form.instance,
        actor=actor,
        account=account,
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        reference=data["reference"],
    )


class SubscriptionInline(CleanTextAdminMixin, ServiceInline, admin.TabularInline):
    model = Subscription
    extra = 0

    def row_save(self, *, form: forms.ModelForm, parent: Account, actor: User) -> Subscription:
        return _subscription_save(form, parent, actor)

    def row_delete(self, *, obj: Subscription, actor: User) -> None:
        services.subscription_delete(subscription=obj, actor=actor)


class PremiumSupportPurchaseInline(CleanTextAdminMixin, ServiceInline, admin.TabularInline):
    model = PremiumSupportPurchase
    extra = 0

    def row_save(
        self, *, form: forms.ModelForm, parent: Account, actor: User
    ) -> PremiumSupportPurchase:
        return _purchase_save(form, parent, actor)

    def row_delete(self, *, obj: PremiumSupportPurchase, actor: User) -> None:
        services.premium_support_purchase_delete(purchase=obj, actor=actor)


def _user_save(user: User, actor: User, data: dict[str, Any]) -> User:
    """`user_save` with the form's values; fields the form did not offer (read-only for
    this actor) keep the stored values."""

    def value(name: str) -> Any:
        return data[name] if name in data else getattr(user, name)

    return services.user_save(
        user=user,
        actor=actor,
        email=value("email"),
        full_name=value("full_name"),
        phone=value("phone"),
        time_zone=value("time_zone"),
        account=value("account"),
        role=value("role"),
        is_active=value("is_active"),
        is_staff=value("is_staff"),
        is_superuser=value("is_superuser"),
        groups=data["groups"] if "groups" in data else user.groups.all(),
    )


class UserInline(CleanTextAdminMixin, ServiceInline, admin.TabularInline):
    model = User
    fields = ("email", "full_name", "role", "is_active")
    readonly_fields = ("email",)
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def row_save(self, *, form: forms.ModelForm, parent: Account, actor: User) -> User:
        return _user_save(form.instance, actor, form.cleaned_data)


class AccountForm(ServiceChangeForm):
    class Meta:
        model = Account
        fields = ("name", "country")

    def apply(self, *, actor: User) -> list[str]:
        data = self.cleaned_data
        services.account_save(
            account=self.instance, actor=actor, name=data["name"], country=data["country"]
        )
        return []


@admin.register(Account)
class AccountAdmin(CleanTextAdminMixin, ServiceModelAdmin):
    """No deletion (no delete_object): an account is the customer's record, which their
    tickets, chats and calls keep."""

    form = AccountForm
    list_display = ("name", "country", "premium_support", "created_at")
    search_fields = ("name",)
    inlines = (SubscriptionInline, PremiumSupportPurchaseInline, UserInline)

    @admin.display(boolean=True, description=_("Premium Support active"))
    def premium_support(self, obj: Account) -> bool:
        now = timezone.now()
        return any(p.is_active_at(now) for p in obj.premium_support_purchases.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("premium_support_purchases")


class SubscriptionForm(ServiceChangeForm):
    class Meta:
        model = Subscription
        fields = ("account", "hub", "tier", "starts_at", "ends_at")

    def apply(self, *, actor: User) -> list[str]:
        _subscription_save(self, self.cleaned_data["account"], actor)
        return []


@admin.register(Subscription)
class SubscriptionAdmin(ServiceModelAdmin):
    form = SubscriptionForm
    list_display = ("account", "hub", "tier", "starts_at", "ends_at")
    list_filter = ("hub", "tier")
    search_fields = ("account__name",)
    list_select_related = ("account",)
    autocomplete_fields = ("account",)

    def delete_object(self, *, obj: Subscription, actor: User) -> None:
        services.subscription_delete(subscription=obj, actor=actor)


class PremiumSupportPurchaseForm(ServiceChangeForm):
    class Meta:
        model = PremiumSupportPurchase
        fields = ("account", "starts_at", "ends_at", "reference")

    def apply(self, *, actor: User) -> list[str]:
        _purchase_save(self, self.cleaned_data["account"], actor)
        return []


@admin.register(PremiumSupportPurchase)
class PremiumSupportPurchaseAdmin(CleanTextAdminMixin, ServiceModelAdmin):
    form = PremiumSupportPurchaseForm
    list_display = ("account", "starts_at", "ends_at", "reference")
    search_fields = ("account__name", "reference")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)

    def delete_object(self, *, obj: PremiumSupportPurchase, actor: User) -> None:
        services.premium_support_purchase_delete(purchase=obj, actor=actor)


class UserChangeAdminForm(ServiceChangeForm, UserEditForm):
    def apply(self, *, actor: User) -> list[str]:
        _user_save(self.instance, actor, self.cleaned_data)
        return []


class UserAddAdminForm(ServiceChangeForm, UserCreateForm):
    def apply(self, *, actor: User) -> list[str]:
        data = self.cleaned_data
        services.user_create(
            user=self.instance,
            actor=actor,
            email=data["email"],
            password=data.get("password1") or None,
            full_name=data["full_name"],
            account=data["account"],
            role=data["role"],
        )
        return []

    def save(self, commit: bool = True) -> User:
        return self.instance  # user_create stored it, password and all


# The acting user of a password change: Django's admin builds the password form itself,
# with the user whose password it is, not the request.
_password_actor: ContextVar[User | None] = ContextVar("password_actor", default=None)


class PasswordSetForm(AdminPasswordChangeForm):
    def save(self, commit: bool = True) -> User:
        actor = _password_actor.get()
        if actor is None:
            raise PermissionDenied
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data["password1"] if usable else None
        return services.user_password_set(user=self.user, actor=actor, password=password)


@admin.register(User)
class UserAdmin(ServiceModelAdmin, DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserAddAdminForm
    change_password_form = PasswordSetForm
    ordering = ("email",)
    list_display = ("email", "full_name", "account", "role", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "role", "groups")
    search_fields = ("email", "full_name", "account__name")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "phone", "time_zone")}),
        (_("Customer"), {"fields": ("account", "role")}),
        (_("Staff"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "account", "role", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups",)

    # Staff records (specialists, leads, superusers) are the superusers' alone: for anyone
    # else they are outside the queryset, so every admin URL that names one (change,
    # password, history, delete, bulk actions) answers as if it did not exist, and the
    # permission methods refuse them as a second line.
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(staff_record_excluded())

    def _may_manage(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or not is_staff_record(obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._may_manage(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_manage(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # Only superusers hand out staff rights and groups; leads manage customer users.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser", "groups"]
        return fields

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)

    def delete_object(self, *, obj: User, actor: User) -> None:
        services.user_delete(user=obj, actor=actor)


# Login lockouts (django-axes): leads read failures and lockouts; only a superuser lifts one.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LoginLockoutAdmin(ServiceModelAdmin, AccessAttemptAdmin):
    """Deleting an attempt (the delete page, "delete selected") is lifting its lockout."""

    actions = ["lift_lockout"]

    def delete_object(self, *, obj: AccessAttempt, actor: User) -> None:
        login_lockout_lift(actor=actor, attempt_ids=[obj.pk])

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    @admin.action(description=_("Lift the lockout of the selected logins"), permissions=["delete"])
    def lift_lockout(self, request, queryset) -> None:
        try:
            lifted = login_lockout_lift(actor=request.user, attempt_ids=[a.pk for a in queryset])
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d login may try again.", "%(count)d logins may try again.", lifted)
            % {"count": lifted},
            messages.SUCCESS,
        )


# Registered with the admin on import.
from accounts import admin_specialists  # noqa: E402, F401
