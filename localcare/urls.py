from django.contrib import admin
from django.urls import include, path

from dashboard import views as dashboard_views

admin.site.site_header = "Kent and Medway Local Care – administration"
admin.site.site_title = "Local Care administration"

urlpatterns = [
    path("healthz", dashboard_views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("dashboard.urls")),
]
