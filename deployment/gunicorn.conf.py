"""gunicorn settings for the portal (see docs/operations.md).

gunicorn --config deployment/gunicorn.conf.py --paste /etc/ckan/khtourism.ini
"""

import multiprocessing
import os

bind = os.environ.get("KHTOURISM_BIND", "127.0.0.1:5000")
# Sync workers, one per core and one more (for the moments a worker waits on PostgreSQL
# or Redis), behind nginx, which buffers requests and responses so a slow client never
# holds a worker. Measured on 2 cores, 100,000 records, 16 API clients, a new query every
# request (docs/performance.md, issue 20): sync workers answered ~200-235 requests/s,
# p95 79-95 ms with 2 or 3 workers, 92-108 ms with 5 (gunicorn's 2 x cores + 1: more
# processes than cores take turns); gthread with 4 threads ~145/s, p95 100-152 ms
# (threads of one process take turns on its interpreter lock).
# KHTOURISM_THREADS > 1 selects gthread workers.
workers = int(os.environ.get("KHTOURISM_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("KHTOURISM_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = 60
graceful_timeout = 30
# recycle workers: bounded memory over months of uptime. Not too often: a new worker
# reads the search engine's bitmaps again on its first searches (docs/search.md)
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"
# nginx bounds the request line (large_client_header_buffers); the tourism API answers a
# URI over its limit with 414 (api/http.py MAX_URI_LENGTH), so gunicorn's own 4,094-byte
# limit (answered 400) must not cut it first
limit_request_line = 0
