from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from dashboard.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Before Django's auth URLs: the same page, answering 400 to a refused change.
    path(
        "accounts/password_change/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # The account page and two-factor set-up and verification.
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    # The read-only data API and its tokens (decisions 0025 and 0026).
    path("api/", include("api.urls")),
    path("governance/reports/", include("governance.urls_reports")),
    path("governance/", include("governance.urls")),
    path("", include("updates.urls")),
    path("", include("dashboard.urls")),
]

# The 503 page when the database is the problem, otherwise the 500 page;
# both render without the database (localcare/errors.py).
handler500 = "localcare.errors.server_error"
