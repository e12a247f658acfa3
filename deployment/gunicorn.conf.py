"""gunicorn settings for the portal (see docs/operations.md).

gunicorn --config deployment/gunicorn.conf.py --paste /etc/ckan/khtourism.ini
"""

import multiprocessing
import os

bind = os.environ.get("KHTOURISM_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("KHTOURISM_WORKERS", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("KHTOURISM_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
max_requests = 2000  # recycle workers: bounded memory over months of uptime
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"
