"""Outgoing numbering series (ND30 Điều 15; DOMAIN §4.5): which register numbers which type, and
the gapless allocation on it under contention, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlmodel import Session, select

from models.db import transaction
from models.documents import types_repo as doc_type_repo
from models.documents.tables import Document
from models.registers import repo as register_repo
from models.registers.tables import Register, RegisterEntry
from models.seed.data import DOCUMENT_TYPES
from models.vocab import Direction, DocumentStatus, RegisterKind
from tests.factories import Org, make_org

ISSUED_2026 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)
THREADS = 8
COUNT = 40


def _types(session: Session) -> None:
    doc_type_repo.seed_types(session, DOCUMENT_TYPES)


def make_outgoing(session: Session, org: Org, type_name: str = "Công văn") -> Document:
    """An outgoing document the competent person has signed, waiting for its số."""
    document_id = str(uuid.uuid4())
    document = Document(id=document_id, direction=Direction.OUTGOING, agency_id=org.agency_id,
                        status=DocumentStatus.SIGNED, type_name=type_name,
                        subject="V/v triển khai kế hoạch cải cách hành chính năm 2026",
                        workflow_id=f"outgoing-{document_id}", created_by=org.users["clerk"].id)
    session.add(document)
    session.flush()
    return document


def _number(session: Session, org: Org, type_name: str, at: datetime = ISSUED_2026) -> tuple[Register, int]:
    doc_type = doc_type_repo.type_by_name(session, type_name)
    register = register_repo.outgoing_register_for(session, org.agency_id, doc_type)
    document = make_outgoing(session, org, type_name)
    entry, created = register_repo.allocate_number(session, register.id, document.workflow_id, document.id, at)
    assert created
    return register, entry.number


def test_every_administrative_type_shares_the_general_series(engine):
    with transaction(engine) as session:
        _types(session)
        org = make_org(session)
        numbered = [_number(session, org, name) for name in ("Công văn", "Quyết định", "Kế hoạch", "Thư công")]

    registers = {register.id for register, _ in numbered}
    assert len(registers) == 1
    assert [number for _, number in numbered] == [1, 2, 3, 4]
    register = numbered[0][0]
    assert (register.kind, register.name, register.doc_types) == (
        RegisterKind.OUTGOING, register_repo.OUTGOING_REGISTER_NAME, [])


def test_each_legal_normative_type_has_its_own_series(engine):
    with transaction(engine) as session:
        _types(session)
        org = make_org(session)
        general, first = _number(session, org, "Quyết định")
        decision, decision_first = _number(session, org, "Quyết định (quy phạm pháp luật)")
        resolution, resolution_first = _number(session, org, "Nghị quyết (quy phạm pháp luật)")
        decision_again, decision_second = _number(session, org, "Quyết định (quy phạm pháp luật)")

    assert len({general.id, decision.id, resolution.id}) == 3
    assert decision_again.id == decision.id
    assert (first, decision_first, resolution_first, decision_second) == (1, 1, 1, 2)
    assert decision.name == "Sổ văn bản quy phạm pháp luật – Quyết định"
    assert decision.doc_types == ["QPPL:QĐ"] and resolution.doc_types == ["QPPL:NQ"]


def test_copies_share_one_copy_series(engine):
    with transaction(engine) as session:
        _types(session)
        org = make_org(session)
        numbered = [_number(session, org, name) for name in ("Bản sao y", "Bản trích sao", "Bản sao lục")]

    assert len({register.id for register, _ in numbered}) == 1
    assert numbered[0][0].kind == RegisterKind.COPY
    assert [number for _, number in numbered] == [1, 2, 3]


def test_a_series_the_head_of_agency_configured_numbers_its_types(engine):
    with transaction(engine) as session:
        _types(session)
        org = make_org(session)
        plans = Register(agency_id=org.agency_id, kind=RegisterKind.OUTGOING, name="Sổ kế hoạch, báo cáo",
                         doc_types=["KH", "BC"])
        session.add(plans)
        session.flush()
        plan_register, _ = _number(session, org, "Kế hoạch")
        report_register, _ = _number(session, org, "Báo cáo")
        letter_register, _ = _number(session, org, "Công văn")

    assert plan_register.id == report_register.id == plans.id
    assert letter_register.id != plans.id


def test_numbers_restart_on_1_january_vietnam_time(engine):
    with transaction(engine) as session:
        _types(session)
        org = make_org(session)
        _, last_of_2025 = _number(session, org, "Công văn", datetime(2025, 12, 31, 16, 59, tzinfo=UTC))
        _, second_of_2025 = _number(session, org, "Công văn", datetime(2025, 12, 31, 3, 0, tzinfo=UTC))
        # 17:00 UTC on 31 December is already 1 January in Hà Nội.
        _, first_of_2026 = _number(session, org, "Công văn", datetime(2025, 12, 31, 17, 0, tzinfo=UTC))
        _, next_in_2026 = _number(session, org, "Công văn", ISSUED_2026)

    assert (last_of_2025, second_of_2025, first_of_2026, next_in_2026) == (1, 2, 1, 2)


def test_the_default_series_is_created_once(engine):
    with transaction(engine) as session:
        _types(session)
        org = make_org(session)
        letter = doc_type_repo.type_by_name(session, "Công văn")
        first = register_repo.outgoing_register_for(session, org.agency_id, letter)
        again = register_repo.outgoing_register_for(session, org.agency_id, letter)
        count = len(register_repo.registers_of(session, org.agency_id, RegisterKind.OUTGOING))
    assert first.id == again.id and count == 1


def test_eight_issuers_at_once_get_one_gapless_series(engine):
    with transaction(engine) as session:
        _types(session)
        org = make_org(session)
        type_names = ["Công văn", "Quyết định", "Kế hoạch", "Tờ trình"]
        documents = [(make_outgoing(session, org, type_names[i % 4]).id, type_names[i % 4]) for i in range(COUNT)]
    go = threading.Event()

    def issue(item: tuple[str, str]) -> tuple[int, int]:
        document_id, type_name = item
        go.wait(timeout=10)  # release the first wave together, so the threads really collide
        with transaction(engine) as session:
            doc_type = doc_type_repo.type_by_name(session, type_name)
            register = register_repo.outgoing_register_for(session, org.agency_id, doc_type)
            entry, _ = register_repo.allocate_number(session, register.id, f"outgoing-{document_id}",
                                                     document_id, ISSUED_2026)
            return register.id, entry.number

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(issue, item) for item in documents]
        go.set()
        results = [future.result() for future in futures]

    assert len({register_id for register_id, _ in results}) == 1
    assert sorted(number for _, number in results) == list(range(1, COUNT + 1))
    with transaction(engine) as session:
        stored = sorted(session.exec(select(RegisterEntry.number)))
        registers = register_repo.registers_of(session, org.agency_id, RegisterKind.OUTGOING)
    assert stored == list(range(1, COUNT + 1))
    assert len(registers) == 1
