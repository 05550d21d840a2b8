"""The service's Prometheus metrics (``GET /metrics``), kept by prometheus-client.

One registry per process: with ``--workers N`` each worker reports its own figures, as
uvicorn's workers are separate processes (scrape each, or run one worker per container).
Routes are labelled by their template (``/v1/filing-numbers/{number}``), never by the raw
path, so a client cannot create new series by calling made-up paths.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter("algo_filing_requests_total", "HTTP requests answered, by route, method and status",
                   ["route", "method", "status"], registry=REGISTRY)
LATENCY = Histogram("algo_filing_request_seconds", "Time from the request head to the last byte sent, by route",
                    ["route"], registry=REGISTRY,
                    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
REFUSALS = Counter("algo_filing_refusals_total", "Requests and connections refused at the edge, by reason",
                   ["reason"], registry=REGISTRY)
BATCH_LINES = Counter("algo_filing_batch_lines_total", "Batch lines answered, by outcome (assessed or error)",
                      ["outcome"], registry=REGISTRY)

CONTENT_TYPE = CONTENT_TYPE_LATEST


def exposition() -> bytes:
    """The metrics in Prometheus's text format."""
    return generate_latest(REGISTRY)
