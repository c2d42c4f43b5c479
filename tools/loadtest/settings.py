"""Settings for `make loadtest`: production's, served over plain HTTP on loopback.

Production expects TLS at the reverse proxy, so its cookies are marked Secure
and plain HTTP is redirected; a client talking to gunicorn directly on
http://127.0.0.1 would then never send its session cookie. The load test has
no proxy in front, so only those four settings change; the rest (DEBUG off,
hashed static files, database sessions, the cache) is production's.
"""

from localcare.settings import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
