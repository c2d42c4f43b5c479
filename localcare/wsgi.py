"""
WSGI config for localcare project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "localcare.settings")

application = get_wsgi_application()

if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The web server only: bounds each request's database waits by
    # DB_REQUEST_DEADLINE even when the server hangs (see the module).
    from localcare import database_deadline

    database_deadline.install(outside_requests_seconds=settings.DB_REQUEST_DEADLINE)
