"""The worker exports the Temporal SDK's own metrics on its Prometheus address."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket

import httpx
from prometheus_client.parser import text_string_to_metric_families

import worker
from config.settings import Settings
from tests.helpers import eventually_async

WORKER_METRICS = {"temporal_num_pollers", "temporal_worker_start", "temporal_worker_task_slots_available"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_a_running_worker_serves_the_sdk_metrics(temporal_env, task_queue, tmp_path):
    address = f"127.0.0.1:{_free_port()}"
    settings = Settings(var_dir=tmp_path, temporal_task_queue=task_queue, worker_metrics_address=address,
                        temporal_address=temporal_env.client.service_client.config.target_host)
    running = asyncio.create_task(worker.run_worker(settings))

    async def scraped() -> set[str]:
        try:
            async with httpx.AsyncClient() as http:
                response = await http.get(f"http://{address}/metrics")
        except httpx.HTTPError:
            return set()
        names = {family.name for family in text_string_to_metric_families(response.text)}
        # The client's requests show first; the worker's own figures once it polls its task queue.
        return names if names & WORKER_METRICS else set()

    try:
        names = await eventually_async(scraped, timeout=30, interval=0.5)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert "temporal_request" in names, sorted(names)  # the worker's client, on the same runtime


def test_an_empty_address_exports_nothing(tmp_path):
    assert worker.telemetry_runtime(Settings(var_dir=tmp_path, worker_metrics_address="")) is None


def test_an_address_in_use_is_logged_and_the_worker_runs_without_the_exporter(tmp_path, caplog):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        settings = Settings(var_dir=tmp_path, worker_metrics_address=address)
        with caplog.at_level(logging.WARNING, logger="qlvb.worker"):
            assert worker.telemetry_runtime(settings) is None
    assert address in caplog.text
