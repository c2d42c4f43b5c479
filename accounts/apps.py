from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self):
        from accounts import sessions, two_factor

        user_logged_in.connect(sessions.start_session, dispatch_uid="accounts.start_session")
        user_logged_in.connect(two_factor.note_enrolment, dispatch_uid="accounts.note_enrolment")
