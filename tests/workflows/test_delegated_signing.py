"""A deputy signs for the leader under a KT. delegation (ND30 Điều 13; PL I Phần I II.7.b).

The leader is the designated signer; while a delegation of signing in force covers the document's
type, the deputy signs with their own key and certificate, the issued PDF's signature block reads
"KT. CHÁNH VĂN PHÒNG" / "PHÓ CHÁNH VĂN PHÒNG" / the deputy's name, and the audit names both. Once
the delegation has expired, the same deputy is refused and nothing changes. A deputy directs an
incoming document for the leader the same way, as their inbox and its counts show.
"""

from __future__ import annotations

import io
import shutil
from datetime import timedelta

import pytest
from sqlmodel import select

from commands import delegation as delegation_commands
from commands import people as people_commands
from commands.signing import sign_draft
from commands.tasks import act_on_task, claim_task
from models.audit import AuditEvent
from models.db import reading, transaction
from models.delegation import repo as delegation_repo
from models.delegation.tables import Delegation
from models.documents.file_store import FileStore
from models.documents.tables import Document, StoredFile
from models.errors import DomainError, Forbidden, NotFound
from models.org.tables import OrgUnit
from models.outgoing.tables import DraftRevision, RevisionStage
from models.signing import pki
from models.signing.demo_pki import issue_demo_person
from models.signing.providers import Pkcs12Provider
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.conftest import minimal_pdf
from tests.helpers import eventually, make_settings, rows, running_worker, upload, user_and_roles
from tests.outgoing_helpers import act_on_step, draft_document, open_task_of, to_signing
from tests.workflows.test_outgoing_lifecycle import demo_pki  # noqa: F401 (module fixture)
from web.messages import message_of

DEPUTY = "phochanh"
DEPUTY_NAME = "Đặng Văn Phúc"


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
        document = draft_document(engine, settings, keep_layout=True)
        task = await to_signing(engine, client, settings, document, "d1")
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
        second = draft_document(engine, settings, keep_layout=True)
        second_task = await to_signing(engine, client, settings, second, "d2")
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


async def test_a_deputy_directs_for_the_leader_only_under_a_delegation_as_the_inbox_and_counts_say(
        seeded_sqlite, temporal_env, task_queue, tmp_path):
    """The leader's direction step reaches a unit head (no direction of their own) only while a
    delegation is in force: listed and counted in their inbox, refused as a claim, acted on directly
    with the audit naming both; once revoked, the next document's step is the leader's alone again."""
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    deputy, deputy_roles = user_and_roles(engine, "truongphong")
    lead_unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH")[0]
    fields = {"opinion": "Phòng Tổng hợp chủ trì", "lead_unit_id": str(lead_unit.id)}

    def delegated_inbox() -> tuple[set[int], int]:
        with reading(engine) as session:
            listed = {t.id for t in task_repo.inbox(session, deputy, deputy_roles, "delegated")}
            return listed, task_repo.counts(session, deputy, deputy_roles)["delegated"]

    async def direct_as_deputy(task_id: int, nonce: str):
        return await act_on_task(engine, client, task_id=task_id, user=deputy, roles=deputy_roles,
                                 action="giao_xu_ly", nonce=nonce, fields=fields)

    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, minimal_pdf())
        direct = await eventually(lambda: open_task_of(engine, document.id, "direct"))
        assert delegated_inbox() == (set(), 0)
        with pytest.raises(NotFound):
            await direct_as_deputy(direct.id, "g0")

        today = delegation_repo.today()
        delegation = delegation_commands.create_delegation(
            engine, actor_id=leader.id, roles=leader_roles, deputy_username="truongphong", kind="chi_dao",
            form="KT.", starts_on=today.isoformat(), ends_on=(today + timedelta(days=6)).isoformat())
        assert delegated_inbox() == ({direct.id}, 1)
        with pytest.raises(Forbidden) as refused:
            claim_task(engine, direct.id, deputy, deputy_roles)
        assert refused.value.code == "delegated_task_not_claimed"
        assert (await direct_as_deputy(direct.id, "g1")).applied
        assert delegated_inbox() == (set(), 0)
        closed = rows(engine, Task, Task.id == direct.id)[0]
        assert (closed.status, closed.completed_by, closed.outcome) == (TaskStatus.DONE, deputy.id, "giao_xu_ly")
        # The audit names both: the deputy acted, for the leader, under that delegation and form.
        event = rows(engine, AuditEvent, AuditEvent.code == "document.giao_xu_ly",
                     AuditEvent.subject_id == document.id)[0]
        assert event.actor_id == deputy.id
        assert (event.data["on_behalf_of"], event.data["delegation_id"], event.data["delegation_form"]) == (
            str(leader.id), str(delegation.id), "KT.")
        assert await eventually(lambda: open_task_of(engine, document.id, "assign"))

        delegation_commands.revoke_delegation(engine, actor_id=leader.id, roles=leader_roles,
                                              delegation_id=delegation.id, reason="Trở lại công tác")
        second = await upload(engine, client, settings, minimal_pdf(text_line="Van ban thu hai"), code_number="126")
        second_direct = await eventually(lambda: open_task_of(engine, second.id, "direct"))
        assert delegated_inbox() == (set(), 0)
        with pytest.raises(NotFound):
            await direct_as_deputy(second_direct.id, "g2")
        assert rows(engine, Task, Task.id == second_direct.id)[0].status == TaskStatus.OPEN
