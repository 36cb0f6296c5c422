from django.urls import path

from accounts import two_factor_views as views

# Included at /account/two-factor/. The middleware leaves these open to sessions that
# still owe a second factor: this is where they provide it.
urlpatterns = [
    path("", views.overview, name="two_factor"),
    path("setup/start/", views.enroll_start, name="two_factor_enroll_start"),
    path("setup/", views.enroll, name="two_factor_enroll"),
    path("verify/", views.verify, name="two_factor_verify"),
    path("recovery-codes/", views.recovery_codes, name="two_factor_recovery_codes"),
    path(
        "recovery-codes/new/",
        views.recovery_codes_regenerate,
        name="two_factor_recovery_codes_regenerate",
    ),
    path("disable/", views.disable, name="two_factor_disable"),
]
