"""A reply (văn bản trả lời) drafted from an incoming document, linked both ways (issue 4, Drafting;
issue 3, "finish with a result, optionally linked to the outgoing reply")."""

from __future__ import annotations

import pytest
from sqlmodel import select

from commands.drafting import create_draft
from commands.intake import receive_upload
from models.audit import AuditEvent
from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.tables import Document
from models.documents.types_repo import type_by_name
from models.errors import DomainError
from models.org.tables import OrgUnit
from models.outgoing import repo as outgoing_repo
from models.vocab import DocumentStatus
from tests.conftest import minimal_pdf
from tests.helpers import (
    eventually,
    make_settings,
    rows,
    running_worker,
    sample_metadata,
    upload,
    user_and_roles,
)
from tests.outgoing_helpers import act_on_step, open_task_of


async def test_a_reply_is_drafted_from_the_incoming_document_and_named_when_handling_ends(
        seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    officer, officer_roles = user_and_roles(engine, "chuyenvien")
    leader, _ = user_and_roles(engine, "lanhdao")
    unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH")[0]
    async with running_worker(client, engine, settings):
        incoming = await upload(engine, client, settings, minimal_pdf(1), organ_id="000.00.02.H23",
                                organ_name="Sở Nội vụ tỉnh Hà Nam")
        await act_on_step(engine, client, "lanhdao", incoming.id, "direct", "giao_xu_ly", "d",
                          opinion="Phòng Tổng hợp tham mưu trả lời", lead_unit_id=str(unit.id))
        await act_on_step(engine, client, "truongphong", incoming.id, "assign", "phan_cong", "p",
                          handler_id=str(officer.id))

        with transaction(engine) as session:
            answered = session.get(Document, incoming.id)
            defaults = outgoing_repo.reply_defaults(session, answered)
            doc_type = type_by_name(session, "Công văn")
        assert defaults["subject"].startswith("Trả lời văn bản số") and defaults["in_reply_to_id"] == incoming.id
        assert len(defaults["recipient_agency_ids"]) == 1  # the sender, an agency of this installation

        raw = {"doc_type_id": doc_type.id, "subject": defaults["subject"], "body": "Văn phòng trả lời như sau.",
               "signer_id": leader.id, "recipient_agency_ids": defaults["recipient_agency_ids"],
               "in_reply_to_id": incoming.id}
        reply = await create_draft(engine, settings, FileStore(settings.files_dir), user=officer, roles=officer_roles,
                                   raw=raw, content_mode="form", upload=None, filename="", attachments=[])
        assert reply.in_reply_to_id == incoming.id

        # A document another agency received cannot be answered from here (it is not even visible).
        other_clerk, other_roles = user_and_roles(engine, "vanthu.snv")
        foreign = await receive_upload(engine, client, settings, FileStore(settings.files_dir), clerk=other_clerk,
                                       roles=other_roles, raw_metadata=sample_metadata(code_number="9"),
                                       data=minimal_pdf(1), filename="cv.pdf")
        with pytest.raises(DomainError) as hidden:
            await create_draft(engine, settings, FileStore(settings.files_dir), user=officer,
                               roles=officer_roles, raw={**raw, "in_reply_to_id": foreign.id},
                               content_mode="form", upload=None, filename="", attachments=[])
        assert hidden.value.params["fields"] == {"in_reply_to_id": "invalid"}

        await eventually(lambda: open_task_of(engine, incoming.id, "handle"))
        with pytest.raises(DomainError) as refused:
            await act_on_step(engine, client, "chuyenvien", incoming.id, "handle", "hoan_thanh", "h0",
                              result="Đã trả lời", reply_document_id=incoming.id)  # not an outgoing document
        assert refused.value.code == "invalid_fields"
        done = await act_on_step(engine, client, "chuyenvien", incoming.id, "handle", "hoan_thanh", "h1",
                                 result="Đã dự thảo văn bản trả lời", reply_document_id=reply.id)
        assert done.document_status == DocumentStatus.DONE

    with transaction(engine) as session:
        assert [d.id for d in outgoing_repo.replies_to(session, incoming.id)] == [reply.id]
        finished = session.exec(select(AuditEvent).where(AuditEvent.subject_id == incoming.id,
                                                         AuditEvent.code == "document.hoan_thanh")).one()
    assert finished.data["reply_document_id"] == reply.id
