"""The one way every process (web, worker, tests, CLI) connects to Temporal.

Using the same data converter everywhere matters: a web client and a worker that disagree on
encoding fail at the first update (TEMPORAL-PATTERNS §13.17).
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.runtime import Runtime

from config.settings import Settings


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """Connect to the configured Temporal frontend and namespace; ``runtime`` (the worker's) carries
    the SDK's telemetry, the default runtime otherwise."""
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                runtime=runtime)
