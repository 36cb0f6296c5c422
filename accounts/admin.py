from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserCreateForm, UserEditForm
from accounts.models import Account, PremiumSupportPurchase, Subscription, User


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0


class PremiumSupportPurchaseInline(admin.TabularInline):
    model = PremiumSupportPurchase
    extra = 0


class UserInline(admin.TabularInline):
    model = User
    fields = ("email", "full_name", "role", "is_active")
    readonly_fields = ("email",)
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "premium_support", "created_at")
    search_fields = ("name",)
    inlines = (SubscriptionInline, PremiumSupportPurchaseInline, UserInline)

    @admin.display(boolean=True, description=_("Premium Support active"))
    def premium_support(self, obj: Account) -> bool:
        now = timezone.now()
        return any(p.is_active_at(now) for p in obj.premium_support_purchases.all())

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return super().get_queryset(request).prefetch_related("premium_support_purchases")


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("account", "hub", "tier", "starts_at", "ends_at")
    list_filter = ("hub", "tier")
    search_fields = ("account__name",)
    list_select_related = ("account",)
    autocomplete_fields = ("account",)


@admin.register(PremiumSupportPurchase)
class PremiumSupportPurchaseAdmin(admin.ModelAdmin):
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

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        # Only superusers hand out staff rights and groups; leads manage customer users.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser", "groups"]
        return fields
