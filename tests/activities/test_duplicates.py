"""Probable duplicates on both backends: folded in Python and stored, found before a số đến is taken."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, date

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.documents import DocumentActivities
from activities.tasks import TaskActivities
from commands.intake import probable_duplicates
from models.audit import AuditEvent
from models.db import transaction
from models.documents import repo as document_repo
from models.documents.duplicates import code_key
from models.documents.repo import receive_incoming, store_file
from models.documents.schema import IncomingMetadata
from models.documents.tables import Document
from models.registers.tables import RegisterEntry
from models.vocab import Direction, DocumentSource
from tests.alembic_helpers import alembic_config, empty_database
from tests.factories import make_org
from tests.helpers import sample_metadata
from workflows.contracts import ApplyDecisionInput, OpenTaskInput

FIRST = sample_metadata(code_number="12", code_notation="UBND-VP", organ_name="Ủy ban nhân dân tỉnh Ninh Bình",
                        organ_id="", issued_date="2026-12-03",
                        subject="V/v triển khai kế hoạch chuyển đổi số của Ủy ban năm 2027")


def _receive(session, org, **changes) -> Document:
    clerk = org.users["clerk"]
    stored = store_file(session, sha256=uuid.uuid4().hex * 2, size=10, content_type="application/pdf",
                        filename="cv.pdf", user_id=clerk.id)
    return receive_incoming(session, clerk=clerk, metadata=IncomingMetadata.model_validate({**FIRST, **changes}),
                            stored=stored, page_count=1, process_key="incoming-standard", process_version=1)


@pytest.fixture
def first(engine):
    with transaction(engine) as session:
        org = make_org(session)
        document_id = _receive(session, org).id
    return engine, org, document_id


UNIVERSITY = dict(organ_name="TRƯỜNG ĐẠI HỌC HOA LƯ", code_notation="ĐHHL-ĐT")


@pytest.mark.parametrize("earlier_changes, changes", [
    ({}, dict(organ_name="ỦY BAN NHÂN DÂN TỈNH NINH BÌNH")),  # Ủ/ủ, Â/â, Ỉ/ỉ, Ì/ì
    ({}, dict(code_notation="ubnd-vp", subject="V/V TRIỂN KHAI KẾ HOẠCH CHUYỂN ĐỔI SỐ CỦA ỦY BAN NĂM 2027")),
    (UNIVERSITY, dict(organ_name="Trường Đại học Hoa Lư", code_notation="đhhl-đt")),  # Ư/ư, Đ/đ
    ({}, dict(organ_name=unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Ninh Bình"))),  # decomposed
    ({}, dict(organ_name="Ủy ban  nhân dân   tỉnh Ninh Bình ",
              subject="V/v triển khai  kế hoạch chuyển đổi số của Ủy ban năm 2027")),  # extra spaces
    ({}, dict(code_number="Số 12", code_notation="ubnd-vp")),
    ({}, dict(code_number="12/ubnd-vp", code_notation="")),
])
def test_it_finds_the_same_document_typed_differently_before_a_number_is_taken(engine, earlier_changes, changes):
    with transaction(engine) as session:
        org = make_org(session)
        earlier_id = _receive(session, org, **earlier_changes).id
    raw = {**FIRST, **earlier_changes, **changes}
    found = probable_duplicates(engine, org.users["clerk"], raw)
    assert [document.id for document in found] == [earlier_id]
    with transaction(engine) as session:
        later_id = _receive(session, org, **{**earlier_changes, **changes}).id
    with transaction(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.subject_id == later_id,
                                                      AuditEvent.code == "document.received")).one()
        assert event.data["duplicate_of"] == [earlier_id]
        # Found before registration: neither document has a register entry yet.
        assert session.exec(select(RegisterEntry)).all() == []
        later = session.get(Document, later_id)
        assert [d.id for d in document_repo.probable_duplicates(session, later)] == [earlier_id]


@pytest.mark.parametrize("changes", [
    dict(code_number="13"),
    dict(code_notation="UBND-KT"),
    dict(organ_name="Ủy ban nhân dân tỉnh Hà Nam"),
    dict(issued_date="2025-12-03", subject="V/v báo cáo tổng kết năm 2025"),
])
def test_it_does_not_flag_other_documents(first, changes):
    engine, org, _ = first
    assert probable_duplicates(engine, org.users["clerk"], {**FIRST, **changes}) == []


def test_a_row_written_without_the_form_is_keyed_by_the_same_fold(first):
    """A document stored with decomposed, lower-case text (another system's package) is still found."""
    engine, org, earlier_id = first
    with transaction(engine) as session:
        raw = Document(id=str(uuid.uuid4()), direction=Direction.INCOMING, agency_id=org.agency_id,
                       source=DocumentSource.HUB, code_number="12", code_notation=unicodedata.normalize("NFD", "ubnd-vp"),
                       organ_name=unicodedata.normalize("NFD", "ủy ban nhân dân tỉnh ninh bình"),
                       issued_date=date(2026, 12, 3), subject="triển khai kế hoạch", type_name="Công văn",
                       created_by=org.users["clerk"].id)
        session.add(raw)
        session.flush()
        assert raw.duplicate_code == "12/ubnd-vp"
        found = document_repo.probable_duplicates(session, raw)
        assert [document.id for document in found] == [earlier_id]
        raw.code_number = "14"  # an update keeps the stored key in step
        session.add(raw)
        session.flush()
        assert raw.duplicate_code == "14/ubnd-vp"
        assert document_repo.probable_duplicates(session, raw) == []


def test_registering_despite_the_warning_is_audited_with_the_duplicates(first):
    """The registration step (vao_so) of a received document: the văn thư proceeds, the decision is recorded."""
    engine, org, earlier_id = first
    with transaction(engine) as session:
        later = _receive(session, org, organ_name="ỦY BAN NHÂN DÂN TỈNH NINH BÌNH")
        other = _receive(session, org, code_number="99")
        ids = [(later.id, later.workflow_id), (other.id, other.workflow_id)]
    clerk = org.users["clerk"]
    for document_id, workflow_id in ids:
        ActivityEnvironment().run(TaskActivities(engine).open_task, OpenTaskInput(
            workflow_id=workflow_id, task_key="accept:1", document_id=document_id, step="accept",
            agency_id=org.agency_id, candidate_role="van_thu", actions=["vao_so", "tra_lai"], urgency_rank=0,
            due_at=None))
        request = ApplyDecisionInput(document_id, workflow_id, "accept:1", "accept", "vao_so", clerk.id, {})
        for _ in range(2):  # a retried activity records the decision once
            ActivityEnvironment().run(DocumentActivities(engine).apply_decision, request)
    with transaction(engine) as session:
        confirmed = session.exec(select(AuditEvent).where(AuditEvent.code == "document.duplicate_confirmed")).all()
    assert [(event.subject_id, event.actor_id, event.data["duplicate_of"]) for event in confirmed] == [
        (ids[0][0], clerk.id, [earlier_id])]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_migration_backfills_the_folded_code_of_existing_documents(backend, tmp_path):
    url, engine = empty_database(backend, tmp_path)
    config = alembic_config(url)
    before = ScriptDirectory.from_config(config).get_revision("0015").down_revision
    command.upgrade(config, before)
    typed = [("Số 12", unicodedata.normalize("NFD", "ubnd-vp")), ("05", "QĐ-UBND"), ("7", "")]
    with engine.begin() as connection:
        meta = sa.MetaData()
        meta.reflect(connection, only=["agency", "user", "document"])
        agency_id = connection.execute(meta.tables["agency"].insert().values(_filled(
            meta.tables["agency"], code="000.00.01.H23", name="Văn phòng", kind="province_office"))).inserted_primary_key[0]
        user_id = connection.execute(meta.tables["user"].insert().values(_filled(
            meta.tables["user"], username="vanthu", agency_id=agency_id))).inserted_primary_key[0]
        for index, (number, notation) in enumerate(typed):
            connection.execute(meta.tables["document"].insert().values(_filled(
                meta.tables["document"], id=f"doc-{index}", direction="incoming", agency_id=agency_id,
                created_by=user_id, code_number=number, code_notation=notation, workflow_id=f"wf-{index}",
                in_reply_to_id=None, external_document_id=None)))
    command.upgrade(config, "0015")
    with engine.connect() as connection:
        stored = dict(connection.execute(sa.text("SELECT id, duplicate_code FROM document")).all())
    engine.dispose()
    assert stored == {"doc-0": "12/ubnd-vp", "doc-1": "5/qd-ubnd", "doc-2": "7"}
    assert [code_key(number, notation) for number, notation in typed] == list(stored.values())


def _filled(table: sa.Table, **values) -> dict:
    """``values`` plus a plain value for every other NOT NULL column without a default."""
    filled = dict(values)
    for column in table.columns:
        if column.name in filled or column.nullable or column.server_default is not None or column.primary_key:
            continue
        python_type = column.type.python_type
        filled[column.name] = {str: "", int: 0, bool: False}.get(python_type) if python_type in (str, int, bool) \
            else _sample_of(python_type)
    return filled


def _sample_of(python_type):
    from datetime import datetime

    if python_type is datetime:
        return datetime(2026, 12, 1, tzinfo=UTC)
    if python_type is date:
        return date(2026, 12, 1)
    if python_type is dict:
        return {}
    if python_type is list:
        return []
    raise AssertionError(f"no sample for {python_type}")
