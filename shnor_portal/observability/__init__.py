"""Health and metrics of the running portal (issue 23, item 4), for the load balancer and for Prometheus.

`health.py` answers `/health/`: the database, the default storage, the disks and the task queue, 200 when all of
them are well and 503 when one is not. `metrics.py` answers `/metrics/` to the scraper alone: the requests and
database queries counted by django-prometheus and the tasks counted here. An app only so that its `ready()`
connects the task signals in every process — the web server's, which enqueues, and the worker's, which finishes.

The shared bottom package: it knows the apps above only through settings; docs/PRODUCTION.md «Состояние и метрики».
"""
