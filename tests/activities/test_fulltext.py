"""Full text on both backends: the text layer of every PDF is indexed, found and shown as a safe snippet."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, update
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.search_index import SearchIndexActivities, index_pending_text
from models.db import transaction
from models.documents import search_repo
from models.documents.file_store import FileStore
from models.documents.repo import receive_incoming, store_file
from models.documents.schema import IncomingMetadata
from models.documents.search import MAX_TEXT_CHARS, DocumentSearch, SearchQuery
from models.documents.tables import Document, DocumentFile, StoredFile
from models.org.tables import Agency, User, UserRole
from models.vocab import AgencyKind, Role
from tests.conftest import minimal_pdf
from tests.factories import make_org
from tests.helpers import make_settings, upload, user_and_roles


def vietnamese_pdf(*paragraphs: str) -> bytes:
    """A PDF whose text layer holds ``paragraphs`` (WeasyPrint, with a font that has Vietnamese)."""
    from html import escape

    from weasyprint import HTML

    body = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
    return HTML(string=f"<html lang='vi'><body style='font-family: DejaVu Sans'>{body}</body></html>").write_pdf()


@pytest.fixture
def store(tmp_path) -> FileStore:
    return FileStore(tmp_path / "files")


def _receive(session, org, store: FileStore, pdf: bytes, *, subject: str = "Công văn về công tác văn thư",
             clerk: str = "clerk") -> Document:
    """What intake writes for an uploaded PDF (the blob, the file row, the document and its index row)."""
    user = org.users[clerk]
    sha = store.put(pdf)
    stored = store_file(session, sha256=sha, size=len(pdf), content_type="application/pdf", filename="cv.pdf",
                        user_id=user.id)
    metadata = IncomingMetadata(code_number=str(uuid.uuid4().int % 10_000), code_notation="SNV-VP",
                                issued_date=date(2026, 11, 30), organ_name="Sở Nội vụ tỉnh Hà Nam",
                                type_name="Công văn", subject=subject)
    return receive_incoming(session, clerk=user, metadata=metadata, stored=stored, page_count=1,
                            process_key="incoming-standard", process_version=1)


def _round(engine, store: FileStore) -> int:
    """One text round as the Reconcile schedule runs it (the registered activity)."""
    return ActivityEnvironment().run(SearchIndexActivities(engine, store).index_text_layers)


def _search(engine, org, text: str, who: str = "clerk"):
    with transaction(engine) as session:
        return search_repo.search_documents(session, org.users[who], org.roles[who], SearchQuery(text=text),
                                            with_snippets=True)


def _marked(page, document_id: str) -> list[str]:
    return [part for part, is_match in page.snippets.get(document_id, []) if is_match]


def _index_row(engine, document_id: str) -> DocumentSearch:
    with transaction(engine) as session:
        return session.exec(select(DocumentSearch).where(DocumentSearch.document_id == document_id)).one()


def test_a_word_only_in_the_text_layer_of_an_upload_is_found_with_its_snippet(engine, store):
    pdf = vietnamese_pdf("Căn cứ Luật Tổ chức chính quyền địa phương,",
                         "ỦY BAN NHÂN DÂN TỈNH đề nghị các cơ quan rà soát biên chế công chức năm 2027.")
    with transaction(engine) as session:
        org = make_org(session)
        document = _receive(session, org, store, pdf)
    assert _search(engine, org, "bien che").documents == []  # not in the metadata: only in the PDF
    assert _index_row(engine, document.id).text_pending

    assert _round(engine, store) == 1
    for text in ("bien che", "BIÊN CHẾ", "biên chế công", "uy ban nhan dan", "ủy ban", "Ủy Ban"):
        page = _search(engine, org, text)
        assert [d.id for d in page.documents] == [document.id], text
    page = _search(engine, org, "biên chế")
    assert _marked(page, document.id) == ["biên", "chế"]
    passage = "".join(part for part, _ in page.snippets[document.id])
    assert "rà soát biên chế công chức" in passage
    # "ủy", "Ủy" and "ỦY" fold alike, the original spelling is what is marked
    assert _marked(_search(engine, org, "ủy ban"), document.id) == ["ỦY", "BAN"]
    row = _index_row(engine, document.id)
    assert not row.text_pending and row.text_file_id == document.file_id


class _TemporalDown:
    """Intake's client when Temporal is unreachable: the start is left to the Reconcile round."""

    async def start_workflow(self, *args, **kwargs):
        from temporalio.service import RPCError, RPCStatusCode

        raise RPCError("unavailable", RPCStatusCode.UNAVAILABLE, b"")


async def test_an_upload_is_searchable_by_its_text_from_its_intake(seeded, tmp_path):
    engine = seeded
    settings = make_settings(tmp_path, "fulltext")
    pdf = vietnamese_pdf("Thực hiện tinh giản biên chế gắn với cơ cấu lại đội ngũ công chức.")
    document = await upload(engine, _TemporalDown(), settings, pdf)
    clerk, roles = user_and_roles(engine, "vanthu")
    with transaction(engine) as session:  # no text round ran: intake read the text layer itself
        page = search_repo.search_documents(session, clerk, roles, SearchQuery(text="tinh gian bien che"),
                                            with_snippets=True)
        assert [d.id for d in page.documents] == [document.id]
        assert [part for part, is_match in page.snippets[document.id] if is_match] == ["tinh", "giản", "biên", "chế"]
    row = _index_row(engine, document.id)
    assert not row.text_pending and row.text_file_id == document.file_id
    assert index_pending_text(engine, FileStore(settings.files_dir)) == 0


def test_a_retried_round_changes_nothing_and_a_new_file_is_read_again(engine, store):
    with transaction(engine) as session:
        org = make_org(session)
        document = _receive(session, org, store, minimal_pdf(text_line="Ke hoach phong chong lut bao"))
    assert _round(engine, store) == 1
    first = _index_row(engine, document.id)
    assert _round(engine, store) == 0  # nothing pending: a retry of the round reads nothing
    with transaction(engine) as session:  # a retry that stores the same text again writes nothing
        source = search_repo.TextSource(document.id, document.file_id, ())
        assert search_repo.store_text(session, source, first.text_content)
        assert session.exec(select(func.count()).select_from(DocumentSearch)
                            .where(DocumentSearch.document_id == document.id)).one() == 1
    assert _index_row(engine, document.id).updated_at == first.updated_at
    assert [d.id for d in _search(engine, org, "phong chong lut").documents] == [document.id]

    # A new current file (a signed copy, a digitised scan) is read on the next round, replacing the text.
    with transaction(engine) as session:
        newer = minimal_pdf(text_line="Phuong an ung pho han han")
        stored = store_file(session, sha256=store.put(newer), size=len(newer), content_type="application/pdf",
                            filename="cv-2.pdf", user_id=org.users["clerk"].id)
        row = session.get(Document, document.id)
        row.file_id = stored.id
        session.add(row)
        search_repo.index_document(session, row)
    assert _index_row(engine, document.id).text_pending
    assert _round(engine, store) == 1
    assert [d.id for d in _search(engine, org, "han han").documents] == [document.id]
    assert _search(engine, org, "lut bao").documents == []


def test_a_file_replaced_while_its_text_was_read_stays_pending(engine, store):
    with transaction(engine) as session:
        org = make_org(session)
        document = _receive(session, org, store, minimal_pdf(text_line="Ban cu"))
        [source] = search_repo.text_sources(session, 10)
        other = store_file(session, sha256=store.put(minimal_pdf(text_line="Ban moi")), size=1,
                           content_type="application/pdf", filename="moi.pdf", user_id=org.users["clerk"].id)
        row = session.get(Document, document.id)
        row.file_id = other.id
        session.add(row)
        search_repo.index_document(session, row)
    with transaction(engine) as session:
        assert not search_repo.store_text(session, source, "Ban cu 1")
    assert _index_row(engine, document.id).text_pending
    assert _round(engine, store) == 1
    assert [d.id for d in _search(engine, org, "ban moi").documents] == [document.id]


def test_a_hostile_text_layer_is_kept_as_text(engine, store):
    hostile = minimal_pdf(text_line="<script>alert(document.cookie)</script> <img src=x onerror=alert(1)> &amp; tailieu")
    with transaction(engine) as session:
        org = make_org(session)
        document = _receive(session, org, store, hostile)
    _round(engine, store)
    page = _search(engine, org, "script")
    assert page.snippets[document.id] == [("<", False), ("script", True), (">alert(document.cookie)</", False),
                                          ("script", True), ("> <img src=x onerror=alert(1)> &amp; tailieu 1", False)]
    # (web/test_fulltext_page.py shows it escaped on the page)


def test_control_characters_of_a_text_layer_never_reach_the_index(engine, store):
    with transaction(engine) as session:
        org = make_org(session)
        document = _receive(session, org, store, minimal_pdf(text_line="Bao cao"))
        search_repo.index_text(session, document.id, "Bao\x00 cao\x07 \u202etong\u202c ket\ud800 " + "x" * MAX_TEXT_CHARS)
    row = _index_row(engine, document.id)
    assert row.text_content.split()[:4] == ["Bao", "cao", "tong", "ket"]
    assert not any(ch in row.text_content for ch in "\x00\x07\u202e\u202c\ud800")
    assert len(row.text_content) == MAX_TEXT_CHARS
    assert [d.id for d in _search(engine, org, "tong ket").documents] == [document.id]


def test_another_agency_never_finds_or_sees_a_snippet_of_the_text(engine, store):
    with transaction(engine) as session:
        org = make_org(session)
        document = _receive(session, org, store, minimal_pdf(text_line="Phuong an bao ve bi mat nha nuoc"))
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
    _round(engine, store)
    assert [d.id for d in _search(engine, org, "bi mat nha nuoc").documents] == [document.id]
    for who in ("outsider", "officer"):  # another agency; an officer it was never routed to
        page = _search(engine, org, "bi mat nha nuoc", who)
        assert (page.documents, page.snippets, page.total) == ([], {}, 0)


def test_attachments_are_read_with_the_main_file_and_files_shared_are_read_once(engine, store):
    with transaction(engine) as session:
        org = make_org(session)
        document = _receive(session, org, store, minimal_pdf(text_line="Cong van chinh"))
        annex = minimal_pdf(text_line="Phu luc danh muc thiet bi")
        stored = store_file(session, sha256=store.put(annex), size=len(annex), content_type="application/pdf",
                            filename="phu-luc.pdf", user_id=org.users["clerk"].id)
        session.add(DocumentFile(document_id=document.id, file_id=stored.id, role="attachment"))
        not_pdf = store_file(session, sha256=store.put(b"PK\x03\x04 docx"), size=9, content_type="application/zip",
                             filename="ghi-chu.docx", user_id=org.users["clerk"].id)
        session.add(DocumentFile(document_id=document.id, file_id=not_pdf.id, role="attachment"))
    reads = []
    original = store.read

    def counting_read(sha256: str) -> bytes:
        reads.append(sha256)
        return original(sha256)

    store.read = counting_read
    with transaction(engine) as session:  # a second document with the same files (an internal delivery)
        original_row = session.get(Document, document.id)
        copy = Document(**{**{c.name: getattr(original_row, c.name) for c in Document.__table__.columns},
                           "id": str(uuid.uuid4()), "workflow_id": None})
        session.add(copy)
        session.flush()
        for row in session.exec(select(DocumentFile).where(DocumentFile.document_id == document.id)).all():
            session.add(DocumentFile(document_id=copy.id, file_id=row.file_id, role=row.role))
        search_repo.index_document(session, copy)
    assert index_pending_text(engine, store) == 2
    assert len(reads) == 3  # main, annex, the .docx (not a PDF: nothing read from it), once for both
    found = _search(engine, org, "thiet bi")
    assert {d.id for d in found.documents} == {document.id, copy.id}
    assert _marked(found, copy.id) == ["thiet", "bi"]


def test_documents_from_before_full_text_are_read_by_the_rounds(engine, store):
    with transaction(engine) as session:
        org = make_org(session)
        documents = [_receive(session, org, store, minimal_pdf(text_line=f"Tai lieu cu so hieu{n}"))
                     for n in range(5)]
    with transaction(engine) as session:  # as migration 0016 leaves them
        session.execute(update(DocumentSearch).values(text_pending=True, text_file_id=None))
        assert search_repo.pending_text_count(session) == 5
    assert index_pending_text(engine, store, batch=2) == 2
    assert index_pending_text(engine, store, batch=2) == 2
    assert index_pending_text(engine, store, batch=2) == 1
    assert index_pending_text(engine, store, batch=2) == 0
    assert [d.id for d in _search(engine, org, "hieu3").documents] == [documents[3].id]
    with transaction(engine) as session:
        assert search_repo.mark_all_text_pending(session) == 5
    assert index_pending_text(engine, store) == 5


def test_a_lost_blob_is_indexed_without_text_and_a_failing_store_is_tried_again(engine, store):
    with transaction(engine) as session:
        org = make_org(session)
        lost = _receive(session, org, store, minimal_pdf(text_line="Ban bi mat tep"))
        later = _receive(session, org, store, minimal_pdf(text_line="Doc lai sau"))
    store.path_for(_index_sources(engine)[lost.id]).unlink()
    original = store.read

    def failing_read(sha256: str) -> bytes:
        if sha256 == _index_sources(engine).get(later.id):
            raise OSError("the disk is busy")
        return original(sha256)

    store.read = failing_read
    assert index_pending_text(engine, store) == 1  # the lost one, without text
    assert not _index_row(engine, lost.id).text_pending and _index_row(engine, lost.id).text_content == ""
    assert _index_row(engine, later.id).text_pending
    store.read = original
    assert index_pending_text(engine, store) == 1
    assert [d.id for d in _search(engine, org, "doc lai").documents] == [later.id]


def _index_sources(engine) -> dict[str, str]:
    """document id -> sha256 of the current file, for the documents still pending."""
    with transaction(engine) as session:
        return {source.document_id: source.sha256s[0] for source in search_repo.text_sources(session, 100)}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migration_0016_leaves_stored_documents_for_the_text_rounds(backend, tmp_path):
    """Documents stored before full text are marked pending; on SQLite the FTS5 index keeps working."""
    from alembic import command
    from sqlalchemy import text

    from models.db import utcnow
    from tests.alembic_helpers import empty_database, migrate

    url, engine = empty_database(backend, tmp_path)
    config = migrate(url, "0015")  # the revision before this one
    store = FileStore(tmp_path / "files")
    pdf = minimal_pdf(text_line="Quy che phoi hop cu")
    with engine.begin() as connection:
        agency_id = _insert(connection, Agency(code="000.00.01.H23", name="Văn phòng", abbreviation="VP",
                                               kind=AgencyKind.PROVINCE_OFFICE))
        user_id = _insert(connection, User(username="clerk", full_name="Clerk", agency_id=agency_id,
                                           password_hash="!", must_change_password=False))
        file_id = _insert(connection, StoredFile(sha256=store.put(pdf), size=len(pdf), content_type="application/pdf",
                                                 filename="cu.pdf", created_by=user_id))
        document = Document(id=str(uuid.uuid4()), direction="incoming", agency_id=agency_id, subject="Quy chế",
                            file_id=file_id, created_by=user_id)
        _insert(connection, document)
        connection.execute(text(
            "INSERT INTO document_search (document_id, folded, so_ky_hieu, text_content, updated_at) "
            "VALUES (:id, 'quy che', '', '', :now)"), {"id": document.id, "now": utcnow()})
    command.upgrade(config, "0016")
    with transaction(engine) as session:
        assert search_repo.pending_text_count(session) == 1
    assert index_pending_text(engine, store) == 1
    with transaction(engine) as session:
        user = session.get(User, user_id)
        page = search_repo.search_documents(session, user, {Role.CLERK}, SearchQuery(text="phoi hop"),
                                            with_snippets=True)
        assert [d.id for d in page.documents] == [document.id]
        assert search_repo.pending_text_count(session) == 0
    engine.dispose()


def _insert(connection, row) -> int | str:
    """Insert a model's values into its table as an older revision has it (its columns only); the key."""
    from sqlalchemy import inspect

    table = type(row).__table__
    existing = {column["name"] for column in inspect(connection).get_columns(table.name)}
    values = {column.name: getattr(row, column.name) for column in table.columns
              if column.name in existing and getattr(row, column.name) is not None}
    inserted = connection.execute(table.insert().values(values).returning(table.c.id))
    return inserted.scalar_one()
