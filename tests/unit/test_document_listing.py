"""The văn bản đến/đi lists (models/documents/listing.py) on SQLite and PostgreSQL: keyset pages
without duplicates or gaps in either direction, the filters, the refusals, and visibility."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from models.db import reading, transaction
from models.documents.access import visible_documents
from models.documents.listing import Cursor, ListFilters, list_page
from models.documents.tables import Assignment, Document
from models.errors import DomainError
from models.org.tables import Agency, OrgUnit
from models.vocab import AgencyKind, AssignmentRole, Direction, DocumentStatus, Urgency
from tests.factories import make_document, make_org

START = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 23:30 on 31/12/2025 in Vietnam


@pytest.fixture
def world(engine):
    """Two agencies; 23 documents of the first, a few sharing one created_at (ties broken by id)."""
    with transaction(engine) as session:
        org = make_org(session)
        other = Agency(code="000.00.02.H23", name="Sở Nội vụ tỉnh Hà Nam", abbreviation="SNV",
                       kind=AgencyKind.DEPARTMENT, place_name="Hà Nam")
        session.add(other)
        session.flush()
        other_unit = OrgUnit(agency_id=other.id, abbreviation="VP", name="Văn phòng Sở")
        session.add(other_unit)
        docs = []
        for n in range(23):
            # Every third document shares its predecessor's instant: the order must still be total.
            at = START + timedelta(hours=(n - n % 3 if n % 3 == 2 else n))
            document = make_document(session, org, created_at=at, subject=f"Văn bản số {n}")
            document.urgency = Urgency.URGENT if n % 4 == 0 else Urgency.NORMAL
            document.status = DocumentStatus.DONE if n % 5 == 0 else DocumentStatus.REGISTERED
            document.type_name = "Quyết định" if n % 2 else "Công văn"
            document.organ_name = "Sở Y tế tỉnh Hà Nam" if n % 3 == 0 else "Sở Tài chính tỉnh Hà Nam"
            session.add(document)
            docs.append(document.id)
        foreign = make_document(session, org, created_at=START + timedelta(hours=5), subject="Của cơ quan khác")
        foreign.agency_id = other.id
        session.add(foreign)
        session.flush()
        org.other_unit = other_unit.id
        # The first five documents are routed to unit TH; the officer is assigned the first two.
        for index, document_id in enumerate(docs[:5]):
            session.add(Assignment(document_id=document_id, role=AssignmentRole.LEAD, unit_id=org.units["TH"],
                                   assigned_by=org.users["leader"].id))
            if index < 2:
                session.add(Assignment(document_id=document_id, role=AssignmentRole.LEAD,
                                       unit_id=org.units["TH"], user_id=org.users["officer"].id,
                                       assigned_by=org.users["leader"].id))
        outgoing = make_document(session, org, created_at=START, subject="Dự thảo")
        outgoing.direction, outgoing.status = Direction.OUTGOING, DocumentStatus.DRAFT
        outgoing.drafting_unit_id, outgoing.to_places = org.units["TH"], "Sở Nội vụ tỉnh Hà Nam"
        session.add(outgoing)
        org.users = {name: user.id for name, user in org.users.items()}
        return engine, org, docs, foreign.id, outgoing.id


def _expected(session: Session, ids: list[str]) -> list[str]:
    rows = [session.get(Document, i) for i in ids]
    return [d.id for d in sorted(rows, key=lambda d: (d.created_at, d.id), reverse=True)]


def _page(session, org, username, direction=Direction.INCOMING, per_page=5, **params):
    from models.org.tables import User

    user = session.get(User, org.users[username])
    roles = org.roles[username]
    filters = ListFilters.from_query({k: str(v) for k, v in params.items()}, direction)
    return list_page(session, user, direction, filters, visible_documents(user, roles), per_page=per_page)


def test_pages_forward_and_back_hold_every_row_once_in_order(world):
    engine, org, docs, foreign_id, _ = world
    with reading(engine) as session:
        expected = _expected(session, docs)
        seen, pages, after = [], [], ""
        while True:
            page = _page(session, org, "clerk", after=after)
            pages.append([d.id for d in page.documents])
            seen += pages[-1]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert seen == expected and len(set(seen)) == len(docs) and foreign_id not in seen
        assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
        # Back from the last page, page by page, to the first.
        back, before = [], page.previous_cursor
        while before:
            page = _page(session, org, "clerk", before=before)
            back.append([d.id for d in page.documents])
            before = page.previous_cursor
        assert back == list(reversed(pages[:-1])) and page.first


def test_filters_narrow_the_list_and_pages_keep_them(world):
    engine, org, docs, _, outgoing_id = world
    with reading(engine) as session:
        every = [session.get(Document, i) for i in docs]

        def ids(**params):
            out, after = [], ""
            while True:
                page = _page(session, org, "clerk", after=after, **params)
                out += [d.id for d in page.documents]
                if not page.next_cursor:
                    return out
                after = page.next_cursor

        assert set(ids(status="done")) == {d.id for d in every if d.status == DocumentStatus.DONE}
        assert set(ids(urgency="khan")) == {d.id for d in every if d.urgency == Urgency.URGENT}
        assert set(ids(type_name="Quyết định")) == {d.id for d in every if d.type_name == "Quyết định"}
        assert set(ids(organ="y tế")) == {d.id for d in every if "Y tế" in d.organ_name}
        assert set(ids(unit_id=org.units["TH"])) == set(docs[:5])
        # Documents 0 and 2 came at 23:30 on 31/12/2025 Vietnam time (16:30 UTC), the rest in 2026.
        def vietnam_day(d):
            return (d.created_at + timedelta(hours=7)).date()
        assert set(ids(year=2025)) == {docs[0], docs[2]}
        assert set(ids(year=2026)) == set(docs) - {docs[0], docs[2]}
        assert set(ids(date_from="2025-12-31", date_to="2025-12-31")) == {docs[0], docs[2]}
        day_two = {d.id for d in every if vietnam_day(d) == date(2026, 1, 1)}
        assert day_two and set(ids(date_from="2026-01-01", date_to="2026-01-01")) == day_two
        combined = set(ids(status="registered", type_name="Công văn", organ="Tài chính"))
        assert combined == {d.id for d in every if d.status == DocumentStatus.REGISTERED
                            and d.type_name == "Công văn" and "Tài chính" in d.organ_name}
        assert ids(organ="100%_") == []  # LIKE's wildcards are text
        drafts = _page(session, org, "clerk", direction=Direction.OUTGOING, unit_id=org.units["TH"], organ="nội vụ")
        assert [d.id for d in drafts.documents] == [outgoing_id]


def test_another_agencys_documents_and_unseen_ones_never_appear(world):
    engine, org, docs, foreign_id, _ = world
    with reading(engine) as session:
        officer = _page(session, org, "officer", per_page=50)
        assert {d.id for d in officer.documents} == set(docs[:2])
        clerk = _page(session, org, "clerk", per_page=50)
        assert foreign_id not in {d.id for d in clerk.documents}
        # Even when the filters name the other agency's words and the cursor its document's place.
        from models.documents.listing import Cursor

        foreign = session.get(Document, foreign_id)
        page = _page(session, org, "clerk", per_page=50, organ="Tài chính",
                     before=Cursor(foreign.created_at - timedelta(days=1), foreign.id).text())
        assert foreign_id not in {d.id for d in page.documents}


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "draft"}, "status"),            # a draft is never a văn bản đến
    ({"status": "xyz"}, "status"),
    ({"year": "1800"}, "year"),
    ({"year": "nam"}, "year"),
    ({"date_from": "2026-02-30"}, "date_from"),
    ({"date_from": "0001-01-01"}, "date_from"),
    ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "date_to"),
    ({"urgency": "rat_khan"}, "urgency"),
    ({"organ": "x" * 201}, "organ"),
    ({"organ": "Sở\u202eY tế"}, "organ"),
    ({"unit_id": "99999999999"}, "unit_id"),
    ({"after": "12_not-a-document"}, "after"),
    ({"before": "9" * 19 + "_00000000-0000-0000-0000-000000000000"}, "before"),
])
def test_a_filter_that_cannot_be_read_is_refused_naming_it(params, field):
    with pytest.raises(DomainError) as refused:
        ListFilters.from_query(params, Direction.INCOMING)
    assert refused.value.code in ("invalid_fields", "unsafe_text") and field in str(refused.value.params)


def test_another_agencys_unit_is_refused(world):
    engine, org, _, _, _ = world
    with reading(engine) as session:
        with pytest.raises(DomainError) as refused:
            _page(session, org, "clerk", unit_id=org.other_unit)
        assert refused.value.params["fields"] == {"unit_id": "invalid"}


def test_a_cursor_reads_back_the_place_it_names():
    at = datetime(2026, 12, 4, 10, 11, 12, 345678, tzinfo=UTC)
    cursor = Cursor(at, "0b0e9a8c-1111-4222-8333-944455556666")
    assert Cursor.parse(cursor.text()) == cursor
