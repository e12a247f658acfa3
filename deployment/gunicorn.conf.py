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
# nginx bounds the request line (large_client_header_buffers); the tourism API answers a
# URI over its limit with 414 (api/http.py MAX_URI_LENGTH), so gunicorn's own 4,094-byte
# limit (answered 400) must not cut it first
limit_request_line = 0
