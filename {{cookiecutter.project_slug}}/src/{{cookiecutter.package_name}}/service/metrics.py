"""Prometheus request metrics and the `/metrics` endpoint."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)


def instrument(app: FastAPI) -> CollectorRegistry:
    """Count and time every request by route template, and serve them at `/metrics`."""
    registry = CollectorRegistry()
    requests = Counter(
        "http_requests_total",
        "HTTP requests handled, by method, route and status code.",
        ["method", "route", "status"],
        registry=registry,
    )
    latency = Histogram(
        "http_request_duration_seconds",
        "HTTP request latency in seconds, by method and route.",
        ["method", "route"],
        registry=registry,
    )

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        status = 500  # unless a response comes back: an exception escaping is a server error
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            # The route template, not the raw path, keeps label cardinality bounded.
            route = getattr(request.scope.get("route"), "path", "unmatched")
            latency.labels(request.method, route).observe(time.perf_counter() - started)
            requests.labels(request.method, route, str(status)).inc()

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return registry
