from django.urls import path

from accounts import session_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/recovery/", views.two_factor_recovery, name="two-factor-recovery"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("two-factor/recovery-codes/new/", views.recovery_codes_new, name="recovery-codes-new"),
    # The idle-timeout warning's requests (static/js/session-timeout.js).
    path("session/stay/", session_views.stay_signed_in, name="session-stay"),
    path("session/end/", session_views.end_session, name="session-end"),
    path(
        "session/end/<slug:locality>/<slug:quarter>/<slug:section>/",
        session_views.end_session,
        name="session-end-keeping",
    ),
]
