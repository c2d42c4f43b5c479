"""gunicorn's settings, for production and `make loadtest`: `gunicorn -c gunicorn.conf.py localcare.wsgi`.

Everything that differs between machines comes from the environment, so the
same file serves every instance behind the load balancer (docs/deploy.md).
"""

import multiprocessing
import os

# Behind a reverse proxy on the same host, loopback; in a container, set
# GUNICORN_BIND=0.0.0.0:8000 and let the platform's network decide.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: every request is a short database-bound page. The usual
# 2 x cores + 1 unless WEB_CONCURRENCY says otherwise (platforms set it).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A page that takes longer than this is killed and logged: better than a
# worker stuck behind a runaway query.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 1000
max_requests_jitter = 100

# gunicorn 27 otherwise opens a control socket in ~/.gunicorn/, which a
# read-only or shared home directory cannot hold; nothing here uses it.
control_socket_disable = True

# Logs go to stdout/stderr for the platform to collect. GUNICORN_ACCESS_LOG=""
# turns the access log off (the reverse proxy usually keeps one).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from the proxy in front (comma-separated addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
