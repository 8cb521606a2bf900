"""Search on both backends: Vietnamese folding, số/ký hiệu, filters, visibility, saved searches."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.documents import DocumentActivities
from models.db import transaction
from models.documents.repo import receive_incoming, store_file
from models.documents.schema import IncomingMetadata
from models.documents.search import DocumentSearch, SearchQuery
from models.documents.search_repo import (
    delete_saved_search,
    ensure_search_objects,
    index_document,
    index_missing,
    index_text,
    save_search,
    saved_searches,
    search_documents,
    type_names,
)
from models.documents.tables import Assignment, Document
from models.documents.types_repo import seed_types, set_offered, type_by_name
from models.errors import DomainError, NotFound
from models.org.tables import Agency, User, UserRole
from models.vocab import AgencyKind, AssignmentRole, Direction, DocumentStatus, Role, Urgency
from tests.factories import make_document, make_org, make_task
from workflows.contracts import ApplyDecisionInput


def _add(session, org, *, subject, number, notation, type_name="Công văn", organ="Sở Tài chính tỉnh Hà Nam",
         urgency=Urgency.NORMAL, status=DocumentStatus.REGISTERED, issued=date(2026, 11, 20),
         arrival=datetime(2026, 11, 21, 2, 0, tzinfo=UTC), signer="") -> Document:
    document = Document(id=str(uuid.uuid4()), direction=Direction.INCOMING, agency_id=org.agency_id,
                        code_number=number, code_notation=notation, organ_name=organ, type_name=type_name,
                        subject=subject, urgency=urgency, status=status, issued_date=issued,
                        arrival_date=arrival, signer_full_name=signer, created_by=org.users["clerk"].id)
    session.add(document)
    session.flush()
    index_document(session, document)
    return document


@pytest.fixture
def corpus(engine):
    """One agency with three indexed documents, and a clerk of another agency."""
    with transaction(engine) as session:
        org = make_org(session)
        docs = {
            "qd": _add(session, org, subject="Quyết định phê duyệt kế hoạch đào tạo cán bộ năm 2027",
                       number="125", notation="QĐ-UBND", type_name="Quyết định", urgency=Urgency.URGENT,
                       organ="Ủy ban nhân dân tỉnh Hà Nam", signer="Trương Quốc Huy",
                       arrival=datetime(2026, 11, 23, 1, 0, tzinfo=UTC)),
            "nq": _add(session, org, subject="Nghị quyết về công tác xây dựng Đảng bộ tỉnh",
                       number="45", notation="NQ/TU", type_name="Nghị quyết", organ="Tỉnh ủy Hà Nam",
                       issued=date(2026, 10, 1), arrival=datetime(2026, 10, 2, 3, 0, tzinfo=UTC)),
            "cv": _add(session, org, subject="V/v báo cáo tình hình thực hiện nhiệm vụ ngân sách",
                       number="1250", notation="STC-NS", status=DocumentStatus.DIRECTED,
                       # 23:30 on 21/11 in Vietnam is still 21/11 there, 16:30 UTC
                       arrival=datetime(2026, 11, 21, 16, 30, tzinfo=UTC)),
        }
        session.add(Assignment(document_id=docs["cv"].id, role=AssignmentRole.LEAD, unit_id=org.units["TH"],
                               assigned_by=org.users["leader"].id))
        other = Agency(code="000.00.02.H23", name="Sở Nội vụ tỉnh Hà Nam", abbreviation="SNV",
                       kind=AgencyKind.DEPARTMENT)
        session.add(other)
        session.flush()
        outsider = User(username="outsider", full_name="Outsider", agency_id=other.id, password_hash="!",
                        must_change_password=False)
        session.add(outsider)
        session.flush()
        session.add(UserRole(user_id=outsider.id, role=Role.CLERK))
        org.users["outsider"], org.roles["outsider"] = outsider, {Role.CLERK}
    return engine, org, {name: doc.id for name, doc in docs.items()}


def _ids(engine, org, who="clerk", **query) -> list[str]:
    with transaction(engine) as session:
        page = search_documents(session, org.users[who], org.roles[who], SearchQuery(**query))
        return [document.id for document in page.documents]


@pytest.mark.parametrize("text, expected", [
    ("quyet dinh", ["qd"]),
    ("QUYẾT ĐỊNH", ["qd"]),
    ("dang", ["nq"]),
    ("đảng", ["nq"]),
    ("dao tao", ["qd"]),
    (unicodedata.normalize("NFD", "Đào tạo cán bộ"), ["qd"]),
    ("dang bo tinh", ["nq"]),
    ("truong quoc huy", ["qd"]),
    ("ngan", ["cv"]),  # a prefix while typing
    ("quyet dinh dang", []),
])
def test_it_ignores_vietnamese_diacritics_including_d(corpus, text, expected):
    engine, org, ids = corpus
    assert _ids(engine, org, text=text) == [ids[name] for name in expected]


@pytest.mark.parametrize("text", ["125", "QĐ-UBND", "125/QĐ-UBND", "125/qđ-ubnd", " 125 / QĐ-UBND ",
                                  "qd-ubnd", "125/QD-UBND"])
def test_it_finds_a_so_ky_hieu_first(corpus, text):
    engine, org, ids = corpus
    assert _ids(engine, org, text=text)[0] == ids["qd"]


def test_a_number_matches_the_number_exactly_before_longer_numbers(corpus):
    engine, org, ids = corpus
    # "125" is the số of the QĐ; "1250" only starts with it, so it comes after.
    assert _ids(engine, org, text="125") == [ids["qd"], ids["cv"]]
    assert _ids(engine, org, text="45-NQ/TU") == [ids["nq"]]
    assert _ids(engine, org, text="NQ/TU") == [ids["nq"]]
    assert _ids(engine, org, text="999/QĐ-UBND") == []
    # A code that starts with its number matches the codes starting with it (an index range), not
    # another number that ends the same way: "25/QĐ" is not "125/QĐ-UBND".
    assert _ids(engine, org, text="125/QĐ") == [ids["qd"]]
    assert _ids(engine, org, text="25/QĐ") == []
    assert _ids(engine, org, text="%") == []
    assert _ids(engine, org, text="   ") == [ids["qd"], ids["cv"], ids["nq"]]


def test_it_filters_and_orders_by_arrival(corpus):
    engine, org, ids = corpus
    assert _ids(engine, org) == [ids["qd"], ids["cv"], ids["nq"]]
    assert _ids(engine, org, type_name="Công văn") == [ids["cv"]]
    assert _ids(engine, org, urgency=Urgency.URGENT) == [ids["qd"]]
    assert _ids(engine, org, status=DocumentStatus.DIRECTED) == [ids["cv"]]
    assert _ids(engine, org, unit_id=org.units["TH"]) == [ids["cv"]]
    assert _ids(engine, org, unit_id=org.units["HCTC"]) == []
    # Arrival days are Vietnam days: 16:30 UTC on 21/11 is 23:30 on 21/11 in Hà Nội.
    assert _ids(engine, org, arrival_from=date(2026, 11, 21), arrival_to=date(2026, 11, 21)) == [ids["cv"]]
    assert _ids(engine, org, arrival_from=date(2026, 11, 22)) == [ids["qd"]]
    assert _ids(engine, org, arrival_to=date(2026, 10, 31)) == [ids["nq"]]
    assert _ids(engine, org, issued_from=date(2026, 11, 1), issued_to=date(2026, 11, 30)) == [ids["qd"], ids["cv"]]
    assert _ids(engine, org, text="ha nam", type_name="Nghị quyết") == [ids["nq"]]
    # The filter offers the agency's catalogue, in its order, whether or not a document has the type
    # yet, and not a type the agency turned off.
    with transaction(engine) as session:
        seed_types(session, [("NQ", "Nghị quyết", True, False), ("QĐ", "Quyết định", False, False),
                             ("CV", "Công văn", False, False), ("TTr", "Tờ trình", False, False)])
        assert type_names(session, org.agency_id) == ["Nghị quyết", "Quyết định", "Công văn", "Tờ trình"]
        set_offered(session, org.agency_id, type_by_name(session, "Tờ trình").id, False, None)
        assert type_names(session, org.agency_id) == ["Nghị quyết", "Quyết định", "Công văn"]


def test_it_pages_by_fifty_or_as_asked(corpus):
    engine, org, ids = corpus
    with transaction(engine) as session:
        clerk, roles = org.users["clerk"], org.roles["clerk"]
        first = search_documents(session, clerk, roles, SearchQuery(), per_page=2)
        second = search_documents(session, clerk, roles, SearchQuery(page=2), per_page=2)
        assert (first.total, first.pages, second.total) == (3, 2, 3)
        assert [d.id for d in first.documents + second.documents] == [ids["qd"], ids["cv"], ids["nq"]]
        assert search_documents(session, clerk, roles, SearchQuery()).per_page == 50


def test_outsiders_and_unrouted_officers_see_nothing(corpus):
    engine, org, ids = corpus
    for who in ("outsider", "officer"):
        assert _ids(engine, org, who) == []
        assert _ids(engine, org, who, text="quyet dinh") == []
        assert _ids(engine, org, who, text="125") == []
    with transaction(engine) as session:
        session.add(Assignment(document_id=ids["nq"], role=AssignmentRole.INFORM, user_id=org.users["officer"].id,
                               assigned_by=org.users["leader"].id))
    assert _ids(engine, org, "officer") == [ids["nq"]]
    assert _ids(engine, org, "officer", text="dang") == [ids["nq"]]
    assert _ids(engine, org, "officer", text="dao tao") == []
    assert _ids(engine, org, "outsider", text="dang") == []


def test_extracted_text_is_searchable_and_survives_metadata_changes(corpus):
    engine, org, ids = corpus
    with transaction(engine) as session:
        index_text(session, ids["cv"], "Đề nghị các đơn vị rà soát biên chế công chức")
    assert _ids(engine, org, text="bien che") == [ids["cv"]]
    with transaction(engine) as session:
        document = session.get(Document, ids["cv"])
        document.subject = "V/v rà soát số liệu thống kê"
        session.add(document)
        index_document(session, document)  # a metadata change keeps the extracted text
        before = session.exec(select(DocumentSearch).where(DocumentSearch.document_id == ids["cv"])).one()
        stamp = before.updated_at
        assert index_document(session, document).updated_at == stamp  # unchanged: nothing written
    assert _ids(engine, org, text="thong ke") == [ids["cv"]]
    assert _ids(engine, org, text="bien che") == [ids["cv"]]
    assert _ids(engine, org, text="ngan sach") == []
    with transaction(engine) as session:
        with pytest.raises(NotFound):
            index_text(session, "missing", "x")


def test_intake_indexes_the_new_document_in_its_transaction(engine):
    with transaction(engine) as session:
        org = make_org(session)
        clerk = org.users["clerk"]
        stored = store_file(session, sha256="0" * 64, size=10, content_type="application/pdf",
                            filename="cv.pdf", user_id=clerk.id)
        metadata = IncomingMetadata(code_number="07", code_notation="KH-SYT", issued_date=date(2026, 11, 2),
                                    organ_name="Sở Y tế tỉnh Hà Nam", type_name="Kế hoạch",
                                    subject="Kế hoạch tiêm chủng mở rộng năm 2027")
        document = receive_incoming(session, clerk=clerk, metadata=metadata, stored=stored, page_count=1,
                                    process_key="incoming-standard", process_version=1)
        roles = org.roles["clerk"]
    with transaction(engine) as session:
        for text in ("tiem chung", "07/KH-SYT", "so y te"):
            page = search_documents(session, clerk, roles, SearchQuery(text=text))
            assert [d.id for d in page.documents] == [document.id], text


def test_a_decision_keeps_the_index_and_routes_the_document_to_the_unit_filter(engine):
    with transaction(engine) as session:
        org = make_org(session)
        document = make_document(session, org, subject="V/v rà soát biên chế công chức")
        index_text(session, document.id, "Kèm theo danh sách đề nghị tinh giản")
        make_task(session, org, document)
    request = ApplyDecisionInput(document.id, document.workflow_id, "direct:1", "direct", "giao_xu_ly",
                                 org.users["leader"].id, {"opinion": "Giao Phòng Tổng hợp",
                                                          "lead_unit_id": str(org.units["TH"])})
    ActivityEnvironment().run(DocumentActivities(engine).apply_decision, request)
    assert _ids(engine, org, text="tinh gian", unit_id=org.units["TH"]) == [document.id]
    assert _ids(engine, org, text="bien che", status=DocumentStatus.DIRECTED) == [document.id]


def test_it_indexes_documents_from_before_the_index(engine):
    with transaction(engine) as session:
        org = make_org(session)
        session.add(Document(id="old", direction=Direction.INCOMING, agency_id=org.agency_id,
                             subject="Tờ trình đề nghị khen thưởng", created_by=org.users["clerk"].id))
        session.flush()
        assert index_missing(session) == 1
        assert index_missing(session) == 0
    ensure_search_objects(engine)  # idempotent on a database that has everything
    assert _ids(engine, org, text="to trinh khen thuong") == ["old"]


def test_saved_searches_belong_to_their_owner(corpus):
    engine, org, _ = corpus
    clerk, leader = org.users["clerk"], org.users["leader"]
    with transaction(engine) as session:
        saved = save_search(session, clerk, "  Quyết định   khẩn ", SearchQuery(text="quyết định", urgency=Urgency.URGENT))
        save_search(session, clerk, "Công văn", SearchQuery(type_name="Công văn"))
        assert saved.name == "Quyết định khẩn"
        assert saved.query == {"q": "quyết định", "urgency": "khan"}
        replaced = save_search(session, clerk, "Công văn", SearchQuery(type_name="Công văn", page=3,
                                                                         status=DocumentStatus.DIRECTED))
        assert replaced.query == {"type_name": "Công văn", "status": "directed"}
        assert [s.name for s in saved_searches(session, clerk)] == ["Công văn", "Quyết định khẩn"]
        assert saved_searches(session, leader) == []
        assert SearchQuery.from_params(saved.query) == SearchQuery(text="quyết định", urgency=Urgency.URGENT)
        with pytest.raises(DomainError) as error:
            save_search(session, clerk, "   ", SearchQuery())
        assert error.value.code == "saved_search_name_invalid"
    with transaction(engine) as session:
        with pytest.raises(NotFound):
            delete_saved_search(session, leader, saved.id)
    with transaction(engine) as session:
        delete_saved_search(session, clerk, saved.id)
        assert [s.name for s in saved_searches(session, clerk)] == ["Công văn"]
