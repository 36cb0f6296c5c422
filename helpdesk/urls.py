from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from helpdesk.metrics import metrics
from helpdesk.tickets.inbound_webhook import mailgun_inbound
from helpdesk.views import healthz, moved_admin_page, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("", include("helpdesk.api.urls")),
    path("metrics", metrics, name="metrics"),
    re_path(r"^admin/helpdesk/(?P<model>[a-z]+)/(?P<rest>.*)$", moved_admin_page),
    path("admin/inbox/", include("helpdesk.inbox")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tickets/callbacks/", include("helpdesk.callbacks.urls")),
    path("tickets/", include("helpdesk.tickets.urls")),
    path("inbound/mailgun/mime/", mailgun_inbound, name="inbound_mailgun"),
    path("", include("helpdesk.kb.urls")),
    path("chat/", include("chat.urls")),
    path("satisfaction/", include("helpdesk.csat.urls")),
    path("account/two-factor/", include("accounts.two_factor_urls")),
    path("", include("accounts.urls")),
]
