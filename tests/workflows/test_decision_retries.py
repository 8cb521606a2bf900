"""A decision whose answer was lost is asked again, never guessed; a retry returns the first outcome."""

from __future__ import annotations

from temporalio.service import RPCError, RPCStatusCode

from commands.tasks import act_on_task
from models.documents.tables import Document
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.conftest import minimal_pdf
from tests.helpers import eventually, make_settings, rows, running_worker, upload, user_and_roles


class _AnswerLostOnce:
    """A client whose first decide reaches the workflow but whose answer is lost on the way back."""

    def __init__(self, real) -> None:
        self._real = real
        self.calls = 0

    def get_workflow_handle(self, workflow_id):
        handle = self._real.get_workflow_handle(workflow_id)
        outer = self

        class Handle:
            async def execute_update(self, *args, **kwargs):
                outer.calls += 1
                result = await handle.execute_update(*args, **kwargs)
                if outer.calls == 1:
                    raise RPCError("connection reset", RPCStatusCode.UNAVAILABLE, b"")
                return result

        return Handle()


def _open_task(engine, document_id):
    found = rows(engine, Task, Task.document_id == document_id, Task.status == TaskStatus.OPEN)
    return found[0] if found else None


async def test_a_decision_applied_but_unanswered_is_reported_applied_not_refused(
        seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    leader, roles = user_and_roles(engine, "lanhdao")
    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, minimal_pdf())
        task = await eventually(lambda: _open_task(engine, document.id))
        flaky = _AnswerLostOnce(client)
        outcome = await act_on_task(engine, flaky, task_id=task.id, user=leader, roles=roles,
                                    action="luu_tham_khao", fields={"opinion": "Lưu"}, nonce="form-1")
        assert outcome.applied and outcome.document_status == DocumentStatus.FILED_FOR_REFERENCE
        assert flaky.calls == 2  # asked again with the same update id: applied once

        # The person's browser retries the same form (same nonce): the first outcome, not a refusal.
        again = await act_on_task(engine, client, task_id=task.id, user=leader, roles=roles,
                                  action="luu_tham_khao", fields={"opinion": "Lưu"}, nonce="form-1")
        assert again.applied and again.document_status == DocumentStatus.FILED_FOR_REFERENCE
    closed = rows(engine, Task, Task.id == task.id)[0]
    assert closed.status == TaskStatus.DONE and closed.outcome == "luu_tham_khao"
    assert rows(engine, Document, Document.id == document.id)[0].status == DocumentStatus.FILED_FOR_REFERENCE
