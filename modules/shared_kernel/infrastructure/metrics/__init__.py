"""Prometheus metrics, only when METRICS_ENABLED is set: with it off nothing here is imported
and nothing is wired, so metrics cost nothing.

    directory        where this run's processes keep their values (the multiprocess mode)
    service_metrics  what the service counts as it happens: requests, deliveries, lost races,
                     the worker-id lease, connections in use
    scrape           the text a scrape gets: every process's values added up, and what is
                     read at scrape time (the publication backlog, seconds to lease expiry)
"""
