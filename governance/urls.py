"""The programme office's pages for meetings, decisions and actions (at /governance/)."""

from django.urls import path

from governance.views import office

app_name = "governance"

urlpatterns = [
    path("", office.home, name="home"),
    path("meetings/add/", office.meeting_add, name="meeting-add"),
    path("meetings/<int:pk>/", office.meeting_edit, name="meeting-edit"),
    path("decisions/add/", office.decision_add, name="decision-add"),
    path("decisions/<int:pk>/", office.decision_edit, name="decision-edit"),
    path("actions/add/", office.action_add, name="action-add"),
    path("actions/<int:pk>/", office.action_edit, name="action-edit"),
]
