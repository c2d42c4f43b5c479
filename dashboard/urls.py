from django.urls import path

from dashboard.views import accessibility as accessibility_views
from dashboard.views import actions as actions_views
from dashboard.views import benefits as benefits_views
from dashboard.views import board_pack as board_pack_views
from dashboard.views import critical_areas as critical_areas_views
from dashboard.views import governance as governance_views
from dashboard.views import locality, overview
from dashboard.views import maturity as maturity_views
from dashboard.views import mdts as mdts_views
from dashboard.views import milestones as milestones_views
from dashboard.views import money as money_views
from dashboard.views import objectives as objectives_views
from dashboard.views import outcomes as outcomes_views
from dashboard.views import published_packs as published_pack_views
from dashboard.views import risks as risks_views

app_name = "dashboard"

urlpatterns = [
    path("", overview.overview, name="home"),
    path("localities/<slug:slug>/", locality.locality_detail, name="locality"),
    path("objectives/", objectives_views.objectives, name="objectives"),
    path("money/", money_views.money, name="money"),
    path("outcomes/", outcomes_views.outcomes, name="outcomes"),
    path("benefits/", benefits_views.benefits, name="benefits"),
    path("outcomes/summary/", outcomes_views.outcomes_summary, name="outcomes-summary"),
    path("milestones/", milestones_views.milestones, name="milestones"),
    path("mdts/", mdts_views.mdts, name="mdts"),
    path("maturity/", maturity_views.maturity, name="maturity"),
    path("critical-areas/", critical_areas_views.critical_areas, name="critical-areas"),
    path("risks/", risks_views.risks, name="risks"),
    path("risks/<str:reference>/", risks_views.risk_detail, name="risk-detail"),
    path("actions/", actions_views.actions, name="actions"),
    # The boards as at a quarter (/governance/ is the programme office's pages).
    path("boards/", governance_views.governance, name="governance"),
    path("board-pack/", board_pack_views.board_pack, name="board-pack"),
    path("board-pack/publish/", published_pack_views.publish_pack, name="publish-pack"),
    path(
        "board-pack/published/<int:pk>/status/",
        published_pack_views.published_pack_status,
        name="published-pack-status",
    ),
    path(
        "board-pack/published/<int:pk>/pdf/",
        published_pack_views.download_published_pack,
        name="published-pack-pdf",
    ),
    path("accessibility/", accessibility_views.accessibility_statement, name="accessibility"),
]
