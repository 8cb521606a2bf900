"""The outgoing workflow end to end on the real dev server, with the real activities and DB.

A draft rendered in the ND30 layout goes through consultation, a send-back to the drafter, the
review chain, the leader's real PAdES signature and issuing; the issued file validates, the
number comes from the type's series, and an agency of the installation receives it in its
intake queue, whose registration its sender then sees as status 03.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.client import WorkflowExecutionStatus

from commands.recall import recall_outgoing
from commands.tasks import act_on_task
from models.audit import AuditEvent
from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.tables import Document, StoredFile
from models.errors import Conflict, DomainError
from models.org.tables import OrgUnit
from models.outgoing import repo as outgoing_repo
from models.outgoing.drafting import date_text
from models.outgoing.tables import DraftComment, Recipient, RecipientEvent, RevisionStage
from models.processes import repo as definition_repo
from models.processes.schema import DEFAULT_OUTGOING, ProcessBody
from models.signing import pki
from models.signing.demo_pki import ensure_demo_pki
from models.signing.tables import SignatureVerdict
from models.signing.verification import check_pdf_signatures
from models.tasks.tables import Task
from models.vocab import DocumentStatus
from tests.helpers import eventually, eventually_async, make_settings, rows, running_worker, user_and_roles
from tests.outgoing_helpers import (
    accept_delivery,
    act_on_step,
    draft_document,
    issue_document,
    open_task_of,
    sign_as_leader,
    submit_draft,
)
from tests.pdf_lines import assert_typeset_like, printed_glyphs, run_of
from workflows.contracts import ConsultTarget


@pytest.fixture(scope="module")
def demo_pki(tmp_path_factory) -> Path:
    """One demo PKI for the module (key generation is the slow part); each test copies it."""
    root = tmp_path_factory.mktemp("pki-source")
    settings = make_settings(root, "unused")
    ensure_demo_pki(settings)
    return root / "pki"


def _settings(tmp_path, task_queue, demo_pki):
    shutil.copytree(demo_pki, tmp_path / "pki")
    return make_settings(tmp_path, task_queue)


async def test_consulted_units_answer_before_review_and_signing_needs_its_own_request(
        seeded_sqlite, temporal_env, task_queue, tmp_path, demo_pki):
    engine, client = seeded_sqlite, temporal_env.client
    settings = _settings(tmp_path, task_queue, demo_pki)
    unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH")[0]
    async with running_worker(client, engine, settings):
        document = draft_document(engine, settings)
        await submit_draft(engine, client, settings, document, [ConsultTarget(unit_id=unit.id)])

        consult = await eventually(lambda: open_task_of(engine, document.id, "consult"))
        assert (consult.candidate_role, consult.unit_id) == ("lanh_dao_don_vi", unit.id)
        assert open_task_of(engine, document.id, "review") is None  # review waits for the opinions

        # The generic action endpoint can never record a signature.
        leader, leader_roles = user_and_roles(engine, "lanhdao")
        with pytest.raises(DomainError) as refused:
            await act_on_task(engine, client, task_id=consult.id, user=leader, roles=leader_roles,
                              action="ky_so", fields={}, nonce="c0")
        assert refused.value.code == "action_needs_own_request"

        await act_on_step(engine, client, "truongphong", document.id, "consult", "gop_y", "c1",
                   opinion="Phòng Tổng hợp thống nhất với dự thảo")
        review = await eventually(lambda: open_task_of(engine, document.id, "review"))
        assert review.unit_id == unit.id  # the drafting unit's head reviews the content

    opinions = rows(engine, DraftComment, DraftComment.document_id == document.id)
    assert [(c.kind, c.body, c.unit_id) for c in opinions] == [
        ("opinion", "Phòng Tổng hợp thống nhất với dự thảo", unit.id)]


async def test_the_full_chain_with_a_send_back_issues_a_valid_numbered_document(
        seeded_sqlite, temporal_env, task_queue, tmp_path, demo_pki):
    engine, client = seeded_sqlite, temporal_env.client
    settings = _settings(tmp_path, task_queue, demo_pki)
    async with running_worker(client, engine, settings):
        document = draft_document(engine, settings)
        await submit_draft(engine, client, settings, document)

        review = await act_on_step(engine, client, "truongphong", document.id, "review", "tra_lai_du_thao", "r1",
                            comment="Bổ sung số liệu quý III")
        assert review.document_status == DocumentStatus.DRAFT
        await act_on_step(engine, client, "chuyenvien", document.id, "revise", "trinh_lai", "r2")
        await act_on_step(engine, client, "truongphong", document.id, "review", "duyet", "r3")
        await act_on_step(engine, client, "vanthu", document.id, "format_check", "duyet", "r4")
        await act_on_step(engine, client, "lanhdao", document.id, "approve", "duyet", "r5")
        signed = await sign_as_leader(engine, client, settings, document.id, "r6")
        assert signed.document_status == DocumentStatus.SIGNED
        issued = await act_on_step(engine, client, "vanthu", document.id, "issue", "ban_hanh", "r7")
        assert issued.document_status == DocumentStatus.ISSUED

        handle = client.get_workflow_handle(f"outgoing-{document.id}")
        assert (await handle.result()).startswith("issued: 1 delivered")
        assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED

        # The recipient's văn thư registers it in their own intake: the sender sees 03.
        await accept_delivery(engine, client, document.id, "r8")
        recipient = await eventually(lambda: next(iter(rows(engine, Recipient, Recipient.document_id == document.id,
                                                             Recipient.business_status == "03")), None))

    final = rows(engine, Document, Document.id == document.id)[0]
    assert (final.status, final.code_number, final.code_notation) == (DocumentStatus.ISSUED, "01", "VP-TH")
    assert final.external_document_id.startswith("000.00.01.H23,") and final.external_document_id.endswith(",01/VP-TH")
    assert final.issued_at is not None and final.issued_late is False

    store = FileStore(settings.files_dir)
    with transaction(engine) as session:
        stages = [r.stage for r, _, _ in outgoing_repo.revisions(session, document.id)]
        issued_file = session.get(StoredFile, final.file_id)
        returned = session.exec(select(DraftComment).where(DraftComment.document_id == document.id)).all()
    assert stages == [RevisionStage.DRAFT, RevisionStage.SIGNED, RevisionStage.ISSUED]
    assert [(c.kind, c.body) for c in returned] == [("return", "Bổ sung số liệu quý III")]
    report = await asyncio.to_thread(check_pdf_signatures, store.read(issued_file.sha256),
                                     pki.trust_anchor_certificates(settings))
    assert report.verdict == SignatureVerdict.VALID and len(report.signatures) == 2
    # The số and ngày the văn thư's step filled in look typeset with the page (models.signing.field_fill).
    glyphs = printed_glyphs(store.read(issued_file.sha256))
    assert_typeset_like(run_of(glyphs, "01/VP-TH"), run_of(glyphs, "Số:"))
    assert_typeset_like(run_of(glyphs, date_text(final.issued_date)), run_of(glyphs, "Hà Nam,"))

    incoming = rows(engine, Document, Document.id == recipient.incoming_document_id)[0]
    assert (incoming.direction, incoming.source, incoming.code_number, incoming.code_notation) == (
        "incoming", "internal", "01", "VP-TH")
    assert incoming.file_id == final.file_id  # the issued file itself, no re-upload
    # The recipient's workflow is a child of the issuing workflow that outlives it (ABANDON).
    child = await client.get_workflow_handle(incoming.workflow_id).describe()
    assert child.parent_id == final.workflow_id
    assert incoming.arrival_number == 1 and incoming.status == DocumentStatus.REGISTERED
    codes = [e.code for e in rows(engine, RecipientEvent, RecipientEvent.recipient_id == recipient.id)]
    assert codes == ["sent", "01", "03"]
    accepted = rows(engine, AuditEvent, AuditEvent.subject_id == incoming.id, AuditEvent.code == "document.vao_so")
    assert len(accepted) == 1  # the recipient's văn thư registered it; nothing was automatic


async def test_a_send_back_can_return_to_an_earlier_review(seeded_sqlite, temporal_env, task_queue, tmp_path,
                                                             demo_pki):
    """A definition whose leader sends drafts back to the unit head instead of the drafter."""
    engine, client = seeded_sqlite, temporal_env.client
    body = DEFAULT_OUTGOING.model_dump(mode="json")
    body["key"] = "outgoing-via-unit-head"
    body["doc_types"] = ["Công văn"]
    body["steps"] = [step for step in body["steps"] if step["kind"] != "format_check"]
    body["steps"][2]["return_to"] = "kiem_tra_noi_dung"  # approve → back to the unit head's review
    with transaction(engine) as session:
        definition_repo.publish(session, ProcessBody.model_validate(body), actor_id=None)
    settings = _settings(tmp_path, task_queue, demo_pki)
    async with running_worker(client, engine, settings):
        document = draft_document(engine, settings)
        await submit_draft(engine, client, settings, document)
        await act_on_step(engine, client, "truongphong", document.id, "review", "duyet", "a1")
        await act_on_step(engine, client, "lanhdao", document.id, "approve", "tra_lai_du_thao", "a2",
                   comment="Phòng rà soát lại căn cứ pháp lý")
        again = await eventually(lambda: open_task_of(engine, document.id, "review"))
        assert open_task_of(engine, document.id, "revise") is None
        assert again.unit_id is not None
        steps = [t.step for t in rows(engine, Task, Task.document_id == document.id)]
    assert steps == ["review", "approve", "review"]


async def test_recipients_agree_to_or_refuse_a_recall_and_the_sender_sees_it(
        seeded_sqlite, temporal_env, task_queue, tmp_path, demo_pki):
    engine, client = seeded_sqlite, temporal_env.client
    settings = _settings(tmp_path, task_queue, demo_pki)
    clerk, clerk_roles = user_and_roles(engine, "vanthu")
    async with running_worker(client, engine, settings):
        agreed = await issue_document(engine, client, settings, "one")
        refused = await issue_document(engine, client, settings, "two")
        # Both reach Sở Nội vụ and are registered there; its leader now has a direction step.
        for document in (agreed, refused):
            await accept_delivery(engine, client, document.id, f"accept-{document.id}")
            await eventually(lambda d=document: next(iter(rows(engine, Recipient, Recipient.document_id == d.id,
                                                                Recipient.business_status == "03")), None))
        with pytest.raises(DomainError):  # a reason is required
            await recall_outgoing(engine, client, settings, user=clerk, roles=clerk_roles,
                                  document_id=agreed.id, reason="  ")
        for document in (agreed, refused):
            asked = await recall_outgoing(engine, client, settings, user=clerk, roles=clerk_roles,
                                          document_id=document.id, reason="Sai số liệu tại mục 2")
            assert asked == 1
        with pytest.raises(Conflict):  # frozen: a second recall is refused
            await recall_outgoing(engine, client, settings, user=clerk, roles=clerk_roles,
                                  document_id=agreed.id, reason="Lần hai")

        incoming_of = {d.id: rows(engine, Recipient, Recipient.document_id == d.id)[0].incoming_document_id
                       for d in (agreed, refused)}
        await act_on_step(engine, client, "vanthu.snv", incoming_of[agreed.id], "recall", "dong_y_thu_hoi", "y")
        await act_on_step(engine, client, "vanthu.snv", incoming_of[refused.id], "recall", "tu_choi_thu_hoi", "n",
                          reason="Văn bản đã được triển khai thực hiện")

        stopped = client.get_workflow_handle(f"incoming-{incoming_of[agreed.id]}")
        assert await eventually_async(
            lambda: _status_is(stopped, WorkflowExecutionStatus.CANCELED)) is True
        running = client.get_workflow_handle(f"incoming-{incoming_of[refused.id]}")
        assert (await running.describe()).status == WorkflowExecutionStatus.RUNNING

    withdrawn = rows(engine, Document, Document.id == incoming_of[agreed.id])[0]
    kept = rows(engine, Document, Document.id == incoming_of[refused.id])[0]
    assert withdrawn.status == DocumentStatus.RECALLED and kept.status == DocumentStatus.REGISTERED
    assert not rows(engine, Task, Task.document_id == withdrawn.id, Task.status.in_(["open", "claimed"]))
    assert rows(engine, Task, Task.document_id == kept.id, Task.step == "direct", Task.status == "open")
    for document, code, note in ((agreed, "15", ""), (refused, "16", "Văn bản đã được triển khai thực hiện")):
        sender = rows(engine, Document, Document.id == document.id)[0]
        assert sender.status == DocumentStatus.RECALLED and sender.recall_reason == "Sai số liệu tại mục 2"
        recipient = rows(engine, Recipient, Recipient.document_id == document.id)[0]
        assert (recipient.business_status, recipient.status_note) == (code, note)
        codes = [e.code for e in rows(engine, RecipientEvent, RecipientEvent.recipient_id == recipient.id)]
        assert codes == ["sent", "01", "03", "recall", code]


async def _status_is(handle, status) -> bool | None:
    return True if (await handle.describe()).status == status else None
