"""Production settings for an app server that a test starts, without collectstatic first.

DEBUG comes from the environment (the tests set it off). Only static files
differ: served from the app folders rather than from a collectstatic'd,
compressed manifest, which would take a test 15 seconds to build.
"""

from localcare.settings import *  # noqa: F403
from localcare.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Nothing has been collected: no warning about a missing STATIC_ROOT in the server's log.
STATIC_ROOT = None
