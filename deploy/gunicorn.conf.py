"""gunicorn for the portal's HTTP (Procfile `web`). Behind nginx, which buffers slow
clients, so sync workers are enough; every tunable has an environment variable."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("WEB_THREADS", "1"))
# Above the slowest page (the SLA report) and below nginx's proxy_read_timeout (60 s).
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# nginx keeps connections to gunicorn open (upstream keepalive).
keepalive = 75
# A worker is replaced after this many requests, against slow leaks.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = None  # nginx logs requests, with the request id
# The Prometheus counters of all workers, summed at /metrics (helpdesk/metrics.py).
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):

    def child_exit(server, worker):  # gunicorn calls this hook by name
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
