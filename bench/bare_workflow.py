"""The Temporal floor for the intake bench: the incoming workflow's shape with no work in it.

Five activities, in the order the real ``IncomingDocument`` runs them up to the leader's task
(load_definition, verify_signatures, register_incoming, compute_due_at, open_task), each a
synchronous no-op on the worker's thread pool like the real ones, then a wait for one update
(the leader's decision). Kept in its own small module so the workflow sandbox imports nothing else.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from temporalio import activity, workflow

SHORT = timedelta(seconds=30)
STEPS = ("load_definition", "verify_signatures", "register_incoming", "compute_due_at", "open_task")


class BareActivities:
    """No-op activities; ``open_task`` notes when each workflow reached its "leader task"."""

    def __init__(self) -> None:
        self.opened: dict[str, float] = {}
        self._lock = threading.Lock()

    @activity.defn(name="bare_load_definition")
    def load_definition(self, document_id: str) -> str:
        return document_id

    @activity.defn(name="bare_verify_signatures")
    def verify_signatures(self, document_id: str) -> str:
        return document_id

    @activity.defn(name="bare_register_incoming")
    def register_incoming(self, document_id: str) -> str:
        return document_id

    @activity.defn(name="bare_compute_due_at")
    def compute_due_at(self, document_id: str) -> str:
        return document_id

    @activity.defn(name="bare_open_task")
    def open_task(self, document_id: str) -> str:
        with self._lock:
            self.opened[document_id] = time.perf_counter()
        return document_id

    def all(self) -> list:
        return [self.load_definition, self.verify_signatures, self.register_incoming,
                self.compute_due_at, self.open_task]


@workflow.defn(name="BenchBareIncoming")
class BareIncomingWorkflow:
    """Five no-op activities, then wait for ``decide``."""

    def __init__(self) -> None:
        self._decision = ""

    @workflow.run
    async def run(self, document_id: str) -> str:
        for step in STEPS:
            await workflow.execute_activity(f"bare_{step}", document_id, start_to_close_timeout=SHORT)
        await workflow.wait_condition(lambda: bool(self._decision))
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._decision

    @workflow.update
    async def decide(self, action: str) -> str:
        self._decision = action
        return action

    @workflow.query
    def decided(self) -> bool:
        return bool(self._decision)
