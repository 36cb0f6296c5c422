from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import PortalPasswordChangeForm
from accounts.middleware import second_factor_verified_required

urlpatterns = [
    path("", views.home, name="home"),
    path("account/profile/", views.profile, name="profile"),
    path("account/time-zone/", views.time_zone_detect, name="time_zone_detect"),
    path("account/availability/", views.staff_availability, name="staff_availability"),
    path("password/reset/", views.ResetRequestView.as_view(), name="password_reset"),
    # The admin's login page links to the portal's reset page when this name exists.
    path("password/reset/", views.ResetRequestView.as_view(), name="admin_password_reset"),
    path("password/reset/done/", views.ResetSentView.as_view(), name="password_reset_done"),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    # Distinct templates: registration/password_change_*.html are the admin's own pages.
    # A staff session that still owes its second factor cannot change the password.
    path(
        "password/change/",
        second_factor_verified_required(
            auth_views.PasswordChangeView.as_view(
                template_name="registration/portal_password_change.html",
                form_class=PortalPasswordChangeForm,
            )
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/portal_password_change_done.html"
        ),
        name="password_change_done",
    ),
]
