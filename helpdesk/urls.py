from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from helpdesk.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tickets/", include("helpdesk.ticket_urls")),
    path("", include("helpdesk.kb.urls")),
    path("chat/", include("chat.urls")),
    path("account/two-factor/", include("accounts.two_factor_urls")),
    path("", include("accounts.urls")),
]
