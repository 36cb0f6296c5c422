from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.forms import UserCreateForm, UserEditForm
from accounts.models import Account, PremiumSupportPurchase, Subscription, User
from accounts.permissions import is_staff_record, staff_record_excluded
from accounts.services import login_lockout_lift
from helpdesk.core.textclean import CleanTextAdminMixin


class SubscriptionInline(CleanTextAdminMixin, admin.TabularInline):
    model = Subscription
    extra = 0


class PremiumSupportPurchaseInline(CleanTextAdminMixin, admin.TabularInline):
    model = PremiumSupportPurchase
    extra = 0


class UserInline(CleanTextAdminMixin, admin.TabularInline):
    model = User
    fields = ("email", "full_name", "role", "is_active")
    readonly_fields = ("email",)
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ("name", "country", "premium_support", "created_at")
    search_fields = ("name",)
    inlines = (SubscriptionInline, PremiumSupportPurchaseInline, UserInline)

    @admin.display(boolean=True, description=_("Premium Support active"))
    def premium_support(self, obj: Account) -> bool:
        now = timezone.now()
        return any(p.is_active_at(now) for p in obj.premium_support_purchases.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("premium_support_purchases")


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("account", "hub", "tier", "starts_at", "ends_at")
    list_filter = ("hub", "tier")
    search_fields = ("account__name",)
    list_select_related = ("account",)
    autocomplete_fields = ("account",)


@admin.register(PremiumSupportPurchase)
class PremiumSupportPurchaseAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ("account", "starts_at", "ends_at", "reference")
    search_fields = ("account__name", "reference")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
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


# Login lockouts (django-axes): leads read failures and lockouts; only a superuser lifts one.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LoginLockoutAdmin(AccessAttemptAdmin):
    actions = ["lift_lockout"]

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
