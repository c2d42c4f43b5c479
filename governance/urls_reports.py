"""The programme office's board reports: at /governance/reports/ (namespace "reports")."""

from django.urls import path

from governance.views import reports

app_name = "reports"

urlpatterns = [
    path("", reports.report_list, name="list"),
    path("new/", reports.report_create, name="create"),
    path("<int:report>/", reports.report_detail, name="detail"),
    path("<int:report>/edit/", reports.report_edit, name="edit"),
    path("<int:report>/approve/", reports.report_approve, name="approve"),
]
