"""A deputy signs for the leader under a KT. delegation (ND30 Điều 13; PL I Phần I II.7.b).

The leader is the designated signer; while a delegation of signing in force covers the document's
type, the deputy signs with their own key and certificate, the issued PDF's signature block reads
"KT. CHÁNH VĂN PHÒNG" / "PHÓ CHÁNH VĂN PHÒNG" / the deputy's name, and the audit names both. Once
the delegation has expired, the same deputy is refused and nothing changes.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import asdict
from datetime import timedelta

import pytest
from sqlmodel import select

from commands import delegation as delegation_commands
from commands import people as people_commands
from commands.signing import sign_draft
from models.audit import AuditEvent
from models.db import transaction
from models.delegation import repo as delegation_repo
from models.delegation.tables import Delegation
from models.documents.file_store import FileStore
from models.documents.tables import Document, StoredFile
from models.documents.types_repo import type_by_name
from models.errors import DomainError, Forbidden
from models.org.tables import Agency, OrgUnit
from models.outgoing import repo as outgoing_repo
from models.outgoing.drafting import DraftContent
from models.outgoing.render import render_document
from models.outgoing.schema import DraftForm
from models.outgoing.tables import DraftRevision, RevisionStage
from models.processes import repo as definition_repo
from models.signing import pki
from models.signing.demo_pki import issue_demo_person
from models.signing.providers import Pkcs12Provider
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.helpers import eventually, make_settings, rows, running_worker, user_and_roles
from tests.outgoing_helpers import RECIPIENT_CODE, act_on_step, open_task_of, submit_draft
from tests.workflows.test_outgoing_lifecycle import demo_pki  # noqa: F401 (module fixture)
from web.messages import message_of

DEPUTY = "phochanh"
DEPUTY_NAME = "Đặng Văn Phúc"


def _draft(engine, settings) -> Document:
    """A Công văn drafted on the form, signed by the Chánh Văn phòng (the leader) himself."""
    user, _ = user_and_roles(engine, "chuyenvien")
    signer, _ = user_and_roles(engine, "lanhdao")
    with transaction(engine) as session:
        recipient = session.exec(select(Agency).where(Agency.code == RECIPIENT_CODE)).one()
        doc_type = type_by_name(session, "Công văn")
        form = DraftForm(doc_type_id=doc_type.id, subject="Về việc báo cáo tình hình chuyển đổi số quý IV",
                         body="Văn phòng UBND tỉnh đề nghị Sở Nội vụ báo cáo tình hình chuyển đổi số.",
                         signer_id=signer.id, recipient_agency_ids=[recipient.id])
        recipients = outgoing_repo.resolve_recipients(session, user.agency_id, form)
        unit = session.get(OrgUnit, user.unit_id)
        content = DraftContent(
            agency_name="VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH HÀ NAM", type_name="Công văn", notation="VP-TH",
            place_name="Hà Nam", subject=form.subject, body=form.body, signer_position=signer.position.upper(),
            signer_full_name=signer.full_name, kinh_gui=[recipient.name], noi_nhan=[f"- {recipient.name};"],
            storage_unit_abbr=unit.abbreviation)
    rendered = render_document(content)
    sha = FileStore(settings.files_dir).put(rendered.pdf)
    with transaction(engine) as session:
        stored = StoredFile(sha256=sha, size=len(rendered.pdf), content_type="application/pdf",
                            filename="du-thao.pdf", created_by=user.id)
        session.add(stored)
        session.flush()
        process = definition_repo.outgoing_process_for(session, "000.00.01.H23", "Công văn")
        document = outgoing_repo.create_draft(
            session, drafter=user, form=form, doc_type=doc_type, recipients=recipients, signer=signer,
            stored=stored, source="form", content=asdict(content), page_count=rendered.page_count,
            process_key=process.key)
        document.code_notation = "VP-TH"
        session.add(document)
        return document


async def _to_signing(engine, client, settings, tag):
    document = _draft(engine, settings)
    await submit_draft(engine, client, settings, document)
    await act_on_step(engine, client, "truongphong", document.id, "review", "duyet", f"{tag}-r")
    await act_on_step(engine, client, "vanthu", document.id, "format_check", "duyet", f"{tag}-f")
    await act_on_step(engine, client, "lanhdao", document.id, "approve", "duyet", f"{tag}-a")
    return document, await eventually(lambda: open_task_of(engine, document.id, "sign"))


def _text(pdf: bytes) -> str:
    from pdfminer.high_level import extract_text

    return " ".join(extract_text(io.BytesIO(pdf)).split())


async def test_a_deputy_signs_for_the_leader_with_kt_and_is_refused_after_expiry(
        seeded_sqlite, temporal_env, task_queue, tmp_path, demo_pki):  # noqa: F811
    engine, client = seeded_sqlite, temporal_env.client
    shutil.copytree(demo_pki, tmp_path / "pki")
    settings = make_settings(tmp_path, task_queue)
    store = FileStore(settings.files_dir)
    admin, admin_roles = user_and_roles(engine, "admin")
    people_commands.create_person(engine, actor_id=admin.id, roles=admin_roles, username=DEPUTY,
                                  full_name=DEPUTY_NAME, agency_code="000.00.01.H23", position="Phó Chánh Văn phòng",
                                  unit_abbreviation=None, account_roles=["lanh_dao_co_quan"])
    p12 = issue_demo_person(settings, username=DEPUTY, full_name=DEPUTY_NAME,
                            organisation="Văn phòng Ủy ban nhân dân tỉnh Hà Nam", title="Phó Chánh Văn phòng",
                            agency_code="000.00.01.H23")
    deputy, deputy_roles = user_and_roles(engine, DEPUTY)
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    provider = lambda: Pkcs12Provider(p12, pki.demo_password(settings))  # noqa: E731

    async with running_worker(client, engine, settings):
        document, task = await _to_signing(engine, client, settings, "d1")
        # No delegation yet: the deputy does not reach the leader's step.
        with pytest.raises(DomainError):
            await sign_draft(engine, client, settings, store, task_id=task.id, user=deputy, roles=deputy_roles,
                             nonce="d1-x", provider=provider())

        today = delegation_repo.today()
        with transaction(engine) as session:
            doc_type_id = session.get(Document, document.id).doc_type_id
        delegation = delegation_commands.create_delegation(
            engine, actor_id=leader.id, roles=leader_roles, deputy_username=DEPUTY, kind="ky", form="KT.",
            starts_on=today.isoformat(), ends_on=(today + timedelta(days=6)).isoformat(),
            doc_type_ids=[doc_type_id])
        outcome = await sign_draft(engine, client, settings, store, task_id=task.id, user=deputy, roles=deputy_roles,
                                   nonce="d1-s", provider=provider())
        assert outcome.applied
        issued = await act_on_step(engine, client, "vanthu", document.id, "issue", "ban_hanh", "d1-i")
        assert issued.document_status == DocumentStatus.ISSUED

        with transaction(engine) as session:
            final = session.get(Document, document.id)
            issued_file = session.get(StoredFile, final.file_id)
            stages = [r.stage for r in session.exec(select(DraftRevision).where(
                DraftRevision.document_id == document.id).order_by(DraftRevision.number))]
            signed_event = session.exec(select(AuditEvent).where(AuditEvent.code == "document.ky_so",
                                                                 AuditEvent.subject_id == document.id)).one()
        assert stages == [RevisionStage.DRAFT, RevisionStage.SIGNED, RevisionStage.ISSUED]
        text = _text(store.read(issued_file.sha256))
        assert "KT. CHÁNH VĂN PHÒNG PHÓ CHÁNH VĂN PHÒNG" in text
        assert DEPUTY_NAME in text and leader.full_name not in text
        assert (final.signer_competence, final.signer_position, final.signer_full_name) == (
            "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", DEPUTY_NAME)
        # The audit shows both: the deputy acted, on behalf of the leader, under that delegation.
        assert signed_event.actor_id == deputy.id
        assert signed_event.data["on_behalf_of"] == str(leader.id)
        assert signed_event.data["delegation_id"] == str(delegation.id)

        # The delegation expires (checked by date at each use): the same deputy is refused.
        second, second_task = await _to_signing(engine, client, settings, "d2")
        with transaction(engine) as session:
            row = session.get(Delegation, delegation.id)
            row.starts_on, row.ends_on = today - timedelta(days=8), today - timedelta(days=1)
            session.add(row)
        with pytest.raises(Forbidden) as refused:
            await sign_draft(engine, client, settings, store, task_id=second_task.id, user=deputy,
                             roles=deputy_roles, nonce="d2-s", provider=provider())
        assert refused.value.code == "delegation_not_in_force" and "hết hạn" in message_of(refused.value)
        still = rows(engine, Task, Task.id == second_task.id)[0]
        assert still.status == TaskStatus.CLAIMED and still.assignee_id == leader.id
        assert rows(engine, DraftRevision, DraftRevision.document_id == second.id,
                    DraftRevision.stage == RevisionStage.SIGNED) == []
        views = delegation_commands.list_delegations(engine, actor_id=leader.id, roles=leader_roles)
        assert [v.state for v in views] == ["expired"]


async def test_a_deputy_directs_an_incoming_document_for_the_leader_only_under_a_delegation(
        seeded_sqlite, temporal_env, task_queue, tmp_path):
    from commands.tasks import act_on_task
    from models.errors import NotFound
    from tests.conftest import minimal_pdf
    from tests.helpers import upload

    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    deputy, deputy_roles = user_and_roles(engine, "truongphong")  # a unit head: no direction of their own
    lead_unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH")[0]
    fields = {"opinion": "Phòng Tổng hợp chủ trì", "lead_unit_id": str(lead_unit.id)}
    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, minimal_pdf())
        direct = await eventually(lambda: open_task_of(engine, document.id, "direct"))
        with pytest.raises(NotFound):
            await act_on_task(engine, client, task_id=direct.id, user=deputy, roles=deputy_roles,
                              action="giao_xu_ly", nonce="g0", fields=fields)
        today = delegation_repo.today()
        delegation_commands.create_delegation(
            engine, actor_id=leader.id, roles=leader_roles, deputy_username="truongphong", kind="chi_dao",
            form="KT.", starts_on=today.isoformat(), ends_on=(today + timedelta(days=6)).isoformat())
        outcome = await act_on_task(engine, client, task_id=direct.id, user=deputy, roles=deputy_roles,
                                    action="giao_xu_ly", nonce="g1", fields=fields)
        assert outcome.applied
        event = rows(engine, AuditEvent, AuditEvent.code == "document.giao_xu_ly",
                     AuditEvent.subject_id == document.id)[0]
        assert event.actor_id == deputy.id and event.data["on_behalf_of"] == str(leader.id)
        assert await eventually(lambda: open_task_of(engine, document.id, "assign"))
