"""Gunicorn settings for the portal (`gunicorn -c deploy/gunicorn.conf.py`).

Threads rather than many processes: most requests wait on PostgreSQL, and threads share one copy of
the Python code. Each setting can be overridden from the environment, so one file serves a laptop
(`make serve`) and the bureau's servers (deploy/systemd/jiaxing-minzheng.service).
"""

import multiprocessing
import os

wsgi_app = "jiaxing_minzheng.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A county's PDF for a hundred towns takes about a second; a minute leaves room for the largest.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak in a library never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# The portal logs one line per request itself (portal.middleware.RequestLogMiddleware),
# with the user; gunicorn's own access log would only repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# nginx on the same machine sets X-Forwarded-Proto; trust it only from there.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "jiaxing-minzheng"
# gunicorn's control socket sits at one path per user by default, so two instances (a second site,
# `make serve` beside a load test) would take it from each other; systemd is the control interface.
control_socket_disable = True
