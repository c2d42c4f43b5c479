from django.urls import path

from dashboard.views import locality, overview

app_name = "dashboard"

urlpatterns = [
    path("", overview.overview, name="home"),
    path("localities/<slug:slug>/", locality.locality_detail, name="locality"),
]
