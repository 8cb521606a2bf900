"""Document types as data: the seeded ND30 list and its repository."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.db import transaction
from models.documents import types_repo as doc_type_repo
from models.documents.types import DocumentType
from models.errors import NotFound
from models.seed.demo import seed_demo
from tests.conftest import DEMO_PASSWORD


def test_the_seed_loads_the_29_administrative_types_with_their_abbreviations(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        types = doc_type_repo.active_types(session)
    administrative = [t for t in types if not t.legal_normative and not t.copy_form]
    assert len(administrative) == 29
    codes = {t.name: t.code for t in types}
    assert codes["Quyết định"] == "QĐ" and codes["Quy định"] == "QyĐ" and codes["Chương trình"] == "CTr"
    assert codes["Công văn"] == "" and codes["Thư công"] == ""
    assert administrative[0].name == "Nghị quyết" and administrative[-1].name == "Thư công"


def test_legal_normative_types_and_copies_are_flagged(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        decision = doc_type_repo.type_by_name(session, "Quyết định (quy phạm pháp luật)")
        resolution = doc_type_repo.type_by_name(session, "Nghị quyết (quy phạm pháp luật)")
        copies = [t for t in doc_type_repo.active_types(session) if t.copy_form]
    assert decision.legal_normative and decision.code == "QĐ" and decision.series_key == "QPPL:QĐ"
    assert resolution.legal_normative and resolution.code == "NQ" and resolution.base_name == "Nghị quyết"
    assert sorted(t.code for t in copies) == ["SL", "SY", "TrS"]


def test_seeding_again_adds_nothing_and_keeps_a_deactivated_type(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        notice = doc_type_repo.type_by_name(session, "Thông cáo")
        notice.active = False
        session.add(notice)
        before = len(list(session.exec(select(DocumentType))))
    with transaction(seeded_sqlite) as session:
        seed_demo(session, DEMO_PASSWORD)
    with transaction(seeded_sqlite) as session:
        assert len(list(session.exec(select(DocumentType)))) == before
        assert not doc_type_repo.type_by_name(session, "Thông cáo").active
        assert "Thông cáo" not in {t.name for t in doc_type_repo.active_types(session)}


def test_an_unknown_type_id_is_not_found(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        assert doc_type_repo.type_by_id(session, 1).name == "Nghị quyết"
        assert doc_type_repo.type_by_name(session, "Không có") is None
        with pytest.raises(NotFound) as missing:
            doc_type_repo.type_by_id(session, 9999)
    assert missing.value.code == "document_type_not_found"
