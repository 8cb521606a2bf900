"""Every committed history replays through the current workflow code (TEMPORAL-PATTERNS §9).

A failure here means a code change altered the commands a running document would replay: add a
``workflow.patched()`` branch instead of regenerating the histories.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner
from temporalio.workflow import NondeterminismError

from tests.workflows.record_histories import CASES, WORKFLOW_TYPE, workflow_id_for
from worker import WORKFLOWS
from workflows.contracts import IncomingInput, LoadDefinitionInput, RegisterIncomingInput

HISTORIES = Path(__file__).resolve().parent / "histories"


def _history_files() -> list[Path]:
    return sorted(HISTORIES.rglob("*.json"))


def _load(path: Path) -> WorkflowHistory:
    # The workflow id only labels the replay; use the recorded one when it is ours.
    workflow_id = workflow_id_for(path.stem) if path.stem in CASES else f"replay-{path.stem}"
    return WorkflowHistory.from_json(workflow_id, path.read_text(encoding="utf-8"))


def test_it_has_a_committed_history_for_every_recorded_path():
    recorded = {p.relative_to(HISTORIES).as_posix() for p in _history_files()}
    assert {f"{WORKFLOW_TYPE}/{case}.json" for case in CASES} <= recorded


@pytest.mark.parametrize("path", _history_files(), ids=lambda p: p.relative_to(HISTORIES).as_posix())
async def test_it_replays_the_committed_history(path):
    result = await Replayer(workflows=WORKFLOWS).replay_workflow(_load(path))
    assert result.replay_failure is None


@workflow.defn(name="IncomingDocument", sandboxed=False)
class _RegisterBeforeLoading:
    """A deliberately reordered skeleton: registers before loading the definition."""

    @workflow.run
    async def run(self, start: IncomingInput) -> str:
        await workflow.execute_activity(
            "register_incoming", RegisterIncomingInput(start.document_id, workflow.info().workflow_id),
            start_to_close_timeout=timedelta(seconds=30))
        await workflow.execute_activity(
            "load_definition", LoadDefinitionInput(start.process_key, start.process_version),
            start_to_close_timeout=timedelta(seconds=30))
        return ""


async def test_it_fails_replay_when_the_command_order_changes():
    """The replay check has teeth: reordering activities is caught as nondeterminism."""
    history = _load(HISTORIES / WORKFLOW_TYPE / "giao_xu_ly.json")
    replayer = Replayer(workflows=[_RegisterBeforeLoading], workflow_runner=UnsandboxedWorkflowRunner())
    with pytest.raises(NondeterminismError):
        await replayer.replay_workflow(history)
