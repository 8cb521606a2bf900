"""The operations endpoint ``/metrics`` in the Prometheus text format (``prometheus-client``).

Two kinds of figures:

* **Totals from the database** (documents received and issued, workflows started by type, open and
  overdue tasks, signature-check verdicts, hub deliveries pending and failed) are read at scrape
  time by ``DatabaseTotals`` through ``models.operations.repo``: every web process answers the same
  numbers, whichever one a scrape reaches. One read serves ``metrics_cache_seconds`` per process.
* **Request latencies**, a histogram by route template and method observed by ``RequestLatency``,
  an ASGI middleware. Each process counts its own requests; with several uvicorn worker processes
  set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, the same for all of them, emptied before
  they start) and the histogram is kept in files there and summed over the processes at scrape time
  (prometheus-client's multiprocess mode).

Who may scrape: with ``QLVB_METRICS_TOKEN`` set, only requests with ``Authorization: Bearer
<token>`` (403 otherwise); without it, only direct requests from the loopback interface — a
request a proxy forwarded (``Forwarded``/``X-Forwarded-For``) gets 404 like everyone else, so a
reverse proxy on the same machine never exposes the endpoint.
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy.engine import Engine

from models.db import reading
from models.operations.repo import HUB_STATES, OperationTotals, operation_totals
from web.deps import State

router = APIRouter()

# The histogram lives in a registry of its own (not the library's global one), so building the app
# twice in one process (the tests) never registers it twice.
PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)
REQUEST_LATENCY = Histogram(
    "qlvb_http_request_duration_seconds", "Thời gian trả lời yêu cầu HTTP, theo mẫu đường dẫn và phương thức.",
    ["route", "method"], registry=PROCESS_REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
# Labels stay few: a route's template (never the path with its ids), a known method.
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


class RequestLatency:
    """ASGI middleware: observes each HTTP request's duration under the route that served it."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            # The router records the matched route in the (shared) scope on the way in.
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope.get("method", "") if scope.get("method") in METHODS else "other"
            REQUEST_LATENCY.labels(route, method).observe(time.perf_counter() - started)


class DatabaseTotals:
    """A Prometheus collector reading the totals from the database when scraped (cached briefly)."""

    def __init__(self, engine: Engine, cache_seconds: float) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._read_at = float("-inf")
        self._totals = OperationTotals()

    def totals(self) -> OperationTotals:
        with self._lock:  # concurrent scrapes share one read
            if time.monotonic() - self._read_at >= self.cache_seconds:
                with reading(self.engine) as session:
                    self._totals = operation_totals(session)
                self._read_at = time.monotonic()
            return self._totals

    def collect(self) -> Iterator[Metric]:
        totals = self.totals()
        yield CounterMetricFamily("qlvb_documents_received", "Văn bản đến đã tiếp nhận.", value=totals.received)
        yield CounterMetricFamily("qlvb_documents_issued", "Văn bản đi đã ban hành.", value=totals.issued)
        documents = GaugeMetricFamily("qlvb_documents", "Văn bản theo chiều và trạng thái.",
                                      labels=["direction", "status"])
        for (direction, status), count in sorted(totals.documents.items()):
            documents.add_metric([direction, status], count)
        yield documents
        started = CounterMetricFamily("qlvb_workflows_started", "Quy trình (workflow) đã khởi động, theo loại.",
                                      labels=["workflow_type"])
        for kind, count in sorted(totals.workflows.items()):
            started.add_metric([kind], count)
        yield started
        for name, text, by_step in (("qlvb_tasks_open", "Bước xử lý đang mở, theo bước.", totals.open_tasks),
                                    ("qlvb_tasks_overdue", "Bước xử lý đang mở đã quá hạn, theo bước.",
                                     totals.overdue_tasks)):
            family = GaugeMetricFamily(name, text, labels=["step"])
            for step, count in sorted(by_step.items()):
                family.add_metric([step], count)
            yield family
        verdicts = CounterMetricFamily("qlvb_signature_checks", "Kết quả kiểm tra chữ ký số, theo kết luận.",
                                       labels=["verdict"])
        for verdict, count in sorted(totals.verdicts.items()):
            verdicts.add_metric([verdict], count)
        yield verdicts
        hub = GaugeMetricFamily("qlvb_hub_deliveries", "Gói tin gửi qua trục đang chờ gửi hoặc đã thất bại.",
                                labels=["state"])
        for state in HUB_STATES:
            hub.add_metric([state], totals.hub_deliveries.get(state, 0))
        yield hub


class _Exposition:
    """The collectors one scrape reads, as the one ``collect()`` the text encoder asks for."""

    def __init__(self, *collectors) -> None:
        self.collectors = collectors

    def collect(self) -> Iterator[Metric]:
        for collector in self.collectors:
            yield from collector.collect()


def _latency_collector():
    """This process's histogram, or every process's when prometheus-client runs in multiprocess mode."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return multiprocess.MultiProcessCollector(None, path=directory) if directory else PROCESS_REGISTRY


def refusal(request: Request, token: str | None) -> Response | None:
    """Why this request may not scrape, as the answer to give; None when it may."""
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return None
        return PlainTextResponse("Cần mã truy cập hợp lệ để đọc /metrics.\n", status_code=403)
    host = request.client.host if request.client else ""
    if host in LOOPBACK and not any(request.headers.get(h) for h in FORWARDING_HEADERS):
        return None
    return PlainTextResponse("Không tìm thấy.\n", status_code=404)


def _totals_of(request: Request, state) -> DatabaseTotals:
    """One collector per application (its cache), made at the first scrape."""
    found = getattr(request.app.state, "database_totals", None)
    if found is None or found.engine is not state.engine:
        found = DatabaseTotals(state.engine, state.settings.metrics_cache_seconds)
        request.app.state.database_totals = found
    return found


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, state: State) -> Response:
    """The Prometheus text exposition (a sync handler: the database is read on the thread pool)."""
    token = state.settings.metrics_token
    refused = refusal(request, token.get_secret_value() if token else None)
    if refused is not None:
        return refused
    body = generate_latest(_Exposition(_totals_of(request, state), _latency_collector()))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
