"""The signer's approval and signature as one decision (commands.signing.approve_and_sign): offered
when the approve step leads straight to the signer's own sign step; a refused key changes nothing;
anyone else, or another step, is refused."""

from __future__ import annotations

import shutil

import pytest

from commands.signing import approve_and_sign
from models.db import reading
from models.documents.file_store import FileStore
from models.documents.tables import Document
from models.errors import DomainError, NotFound
from models.outgoing.signing_steps import approval_leads_to_signing, may_approve_and_sign
from models.outgoing.tables import DraftRevision, RevisionStage
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.helpers import eventually, make_settings, rows, running_worker, user_and_roles
from tests.outgoing_helpers import act_on_step, draft_document, open_task_of, submit_draft
from tests.workflows.test_outgoing_lifecycle import demo_pki  # noqa: F401 (module fixture)


async def test_the_signer_approves_and_signs_in_one_decision(
        seeded_sqlite, temporal_env, task_queue, tmp_path, demo_pki):  # noqa: F811
    engine, client = seeded_sqlite, temporal_env.client
    shutil.copytree(demo_pki, tmp_path / "pki")
    settings = make_settings(tmp_path, task_queue)
    store = FileStore(settings.files_dir)
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    async with running_worker(client, engine, settings):
        document = draft_document(engine, settings)
        await submit_draft(engine, client, settings, document)
        review = await eventually(lambda: open_task_of(engine, document.id, "review"))
        # Only the signer's own approval offers it: not a review, not someone else's step.
        head, head_roles = user_and_roles(engine, "truongphong")
        with pytest.raises(DomainError) as not_approval:
            await approve_and_sign(engine, client, settings, store, task_id=review.id, user=head, roles=head_roles,
                                   nonce="n0")
        assert not_approval.value.code == "not_a_signing_task"
        await act_on_step(engine, client, "truongphong", document.id, "review", "duyet", "r")
        await act_on_step(engine, client, "vanthu", document.id, "format_check", "duyet", "f")
        approval = await eventually(lambda: open_task_of(engine, document.id, "approve"))
        with reading(engine) as session:
            assert approval_leads_to_signing(session, session.get(Document, document.id))
            assert may_approve_and_sign(session, session.get(Task, approval.id), leader.id)
            assert not may_approve_and_sign(session, session.get(Task, approval.id), head.id)
        other, other_roles = user_and_roles(engine, "lanhdao.snv")
        with pytest.raises(NotFound):
            await approve_and_sign(engine, client, settings, store, task_id=approval.id, user=other,
                                   roles=other_roles, nonce="n1")

        # A wrong password: the key opens nothing, so nothing is approved either.
        with pytest.raises(DomainError) as wrong:
            await approve_and_sign(engine, client, settings, store, task_id=approval.id, user=leader,
                                   roles=leader_roles, nonce="n2", pkcs12_password="khong-dung")
        assert wrong.value.code == "signing_key_unavailable"
        assert rows(engine, Task, Task.id == approval.id)[0].status in (TaskStatus.OPEN, TaskStatus.CLAIMED)
        assert open_task_of(engine, document.id, "sign") is None

        outcome = await approve_and_sign(engine, client, settings, store, task_id=approval.id, user=leader,
                                         roles=leader_roles, nonce="n3", comment="Đồng ý ban hành")
        assert outcome.applied and outcome.action == "ky_so"
        done = rows(engine, Task, Task.document_id == document.id, Task.step.in_(["approve", "sign"]))
        assert sorted((t.step, t.status, t.outcome, t.completed_by) for t in done) == [
            ("approve", TaskStatus.DONE, "duyet", leader.id), ("sign", TaskStatus.DONE, "ky_so", leader.id)]
        assert rows(engine, Document, Document.id == document.id)[0].status == DocumentStatus.SIGNED
        assert len(rows(engine, DraftRevision, DraftRevision.document_id == document.id,
                        DraftRevision.stage == RevisionStage.SIGNED)) == 1
        await eventually(lambda: open_task_of(engine, document.id, "issue"))
