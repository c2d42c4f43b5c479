from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from api.views import data, docs, tokens

app_name = "api"

urlpatterns = [
    # Public: the schema holds no data, and tools read it to know the API.
    path(
        "v1/openapi.json",
        login_not_required(
            SpectacularJSONAPIView.as_view(authentication_classes=[], permission_classes=[])
        ),
        name="schema",
    ),
    # Signed in: DRF's views opt out of LoginRequiredMiddleware, so it is asked here.
    path("v1/docs/", login_required(docs.ApiDocsView.as_view()), name="docs"),
    path("v1/localities/", login_not_required(data.LocalitiesView.as_view()), name="localities"),
    path("v1/objectives/", login_not_required(data.ObjectivesView.as_view()), name="objectives"),
    path(
        "v1/objective-statuses/",
        login_not_required(data.ObjectiveStatusesView.as_view()),
        name="objective-statuses",
    ),
    path("v1/milestones/", login_not_required(data.MilestonesView.as_view()), name="milestones"),
    path("v1/mdts/", login_not_required(data.MdtsView.as_view()), name="mdts"),
    path("v1/money/", login_not_required(data.MoneyView.as_view()), name="money"),
    path("v1/outcomes/", login_not_required(data.OutcomesView.as_view()), name="outcomes"),
    path("v1/risks/", login_not_required(data.RisksView.as_view()), name="risks"),
    path("v1/actions/", login_not_required(data.ActionsView.as_view()), name="actions"),
    path("v1/decisions/", login_not_required(data.DecisionsView.as_view()), name="decisions"),
    # The account's side: making, seeing and revoking tokens (signed in).
    path("tokens/", tokens.tokens, name="tokens"),
    path("tokens/new/", tokens.token_new, name="token-new"),
    path("tokens/all/", tokens.all_tokens, name="all-tokens"),
    path("tokens/<int:token>/revoke/", tokens.token_revoke, name="token-revoke"),
]
