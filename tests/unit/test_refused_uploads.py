"""A refused upload leaves no file behind, on every upload path (counted in the file store).

Incoming upload, paper intake, outgoing draft (main file and attachments), draft revision, hub
delivery; and the refusal that only comes inside the write transaction, after the blobs were
written: the blobs the upload created go, a blob that was there before stays.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from commands import uploads
from commands.drafting import create_draft, revise_draft
from commands.intake import receive_paper, receive_upload
from models.db import transaction
from models.documents import repo as document_repo
from models.documents.file_store import FileStore
from models.documents.repo import store_file
from models.documents.tables import Document, StoredFile
from models.documents.types_repo import type_by_name
from models.errors import DomainError
from models.exchange import repo as exchange_repo
from models.exchange.edxml.build import build_package
from models.exchange.edxml.package import Attachment, Organization
from models.org.tables import Agency
from tests import hostile_files as hostile
from tests.helpers import make_settings, rows, sample_metadata, user_and_roles
from tests.unit.edxml_fixtures import small_package
from web.messages import message_of

HOSTILE = {
    "loop": hostile.looping_page_tree(),
    "bomb": hostile.deflate_bomb(2 * 2**30, rounds=2),
    "nesting": hostile.deeply_nested_array(100_000),
    "billion": hostile.claiming_pages(1_000_000_000),
    "truncated": hostile.truncated(hostile.small_pdf(2)),
}


def _files(store: FileStore) -> int:
    return sum(1 for path in store.root.rglob("*") if path.is_file()) if store.root.exists() else 0


@pytest.fixture
def setting(tmp_path):
    settings = make_settings(tmp_path, "refused-uploads")
    return settings, FileStore(settings.files_dir)


def _refused(coroutine_result) -> DomainError:
    assert isinstance(coroutine_result, DomainError), coroutine_result
    assert message_of(coroutine_result) != "Yêu cầu không thực hiện được. Vui lòng thử lại."
    return coroutine_result


async def _outcome(coroutine):
    try:
        return await coroutine
    except DomainError as refusal:
        return refusal


@pytest.mark.parametrize("kind", sorted(HOSTILE))
async def test_a_refused_incoming_upload_stores_no_file(seeded_sqlite, setting, kind):
    settings, store = setting
    clerk, roles = user_and_roles(seeded_sqlite, "vanthu")
    before = _files(store)
    _refused(await _outcome(receive_upload(seeded_sqlite, None, settings, store, clerk=clerk, roles=roles,
                                           raw_metadata=sample_metadata(), data=HOSTILE[kind], filename="cv.pdf")))
    assert _files(store) == before and rows(seeded_sqlite, Document) == []


@pytest.mark.parametrize("kind", ["loop", "bomb", "billion"])
async def test_refused_paper_scans_store_no_file(seeded_sqlite, setting, kind):
    settings, store = setting
    clerk, roles = user_and_roles(seeded_sqlite, "vanthu")
    scans = [("trang-1.pdf", hostile.small_pdf(1)), ("trang-2.pdf", HOSTILE[kind])]
    _refused(await _outcome(receive_paper(seeded_sqlite, None, settings, store, clerk=clerk, roles=roles,
                                          raw_metadata=sample_metadata(), scans=scans)))
    assert _files(store) == 0 and rows(seeded_sqlite, Document) == []


def _draft_raw(engine) -> dict:
    signer, _ = user_and_roles(engine, "lanhdao")
    with transaction(engine) as session:
        recipient = session.exec(select(Agency).where(Agency.code == "000.00.02.H23")).one()
        doc_type = type_by_name(session, "Công văn")
        return {"doc_type_id": doc_type.id, "subject": "Về việc báo cáo tình hình chuyển đổi số",
                "body": "", "signer_id": signer.id, "recipient_agency_ids": [recipient.id]}


@pytest.mark.parametrize("kind", ["loop", "bomb", "nesting"])
async def test_a_refused_draft_upload_or_attachment_stores_no_file(seeded_sqlite, setting, kind):
    settings, store = setting
    officer, roles = user_and_roles(seeded_sqlite, "chuyenvien")
    raw = _draft_raw(seeded_sqlite)
    main = _refused(await _outcome(create_draft(
        seeded_sqlite, settings, store, user=officer, roles=roles, raw=raw, content_mode="pdf",
        upload=HOSTILE[kind], filename="du-thao.pdf", attachments=[])))
    attachment = _refused(await _outcome(create_draft(
        seeded_sqlite, settings, store, user=officer, roles=roles, raw=raw, content_mode="pdf",
        upload=hostile.small_pdf(1), filename="du-thao.pdf", attachments=[("phu-luc.pdf", HOSTILE[kind])])))
    assert main.code == attachment.code
    assert _files(store) == 0
    assert rows(seeded_sqlite, Document, Document.direction == "outgoing") == []


async def test_a_refused_revision_stores_no_file(seeded_sqlite, setting):
    settings, store = setting
    officer, roles = user_and_roles(seeded_sqlite, "chuyenvien")
    draft = await create_draft(seeded_sqlite, settings, store, user=officer, roles=roles,
                               raw=_draft_raw(seeded_sqlite), content_mode="pdf", upload=hostile.small_pdf(2),
                               filename="du-thao.pdf", attachments=[])
    before = _files(store)
    assert before == 1
    for data in HOSTILE.values():
        _refused(await _outcome(revise_draft(seeded_sqlite, settings, store, user=officer, roles=roles,
                                             document_id=draft.id, raw={}, content_mode="pdf", upload=data,
                                             filename="sua.pdf")))
    assert _files(store) == before


async def test_a_refusal_inside_the_write_removes_only_the_blobs_the_upload_created(seeded_sqlite, setting,
                                                                                   monkeypatch):
    settings, store = setting
    clerk, roles = user_and_roles(seeded_sqlite, "vanthu")

    def no_process(*_args, **_kwargs):
        raise DomainError("process_not_found")

    monkeypatch.setattr("models.processes.repo.current", no_process)
    _refused(await _outcome(receive_upload(seeded_sqlite, None, settings, store, clerk=clerk, roles=roles,
                                           raw_metadata=sample_metadata(), data=hostile.small_pdf(1),
                                           filename="cv.pdf")))
    assert _files(store) == 0

    # A blob another document already holds is never removed by someone else's refusal.
    kept = hostile.small_pdf(3)
    with transaction(seeded_sqlite) as session:
        store_file(session, sha256=store.put(kept), size=len(kept), content_type="application/pdf",
                   filename="co-san.pdf", user_id=clerk.id)
    _refused(await _outcome(receive_upload(seeded_sqlite, None, settings, store, clerk=clerk, roles=roles,
                                           raw_metadata=sample_metadata(), data=kept, filename="cv.pdf")))
    assert _files(store) == 1 and store.read(store.put(kept)) == kept


async def test_the_discard_keeps_a_blob_that_a_row_references(seeded_sqlite, setting):
    _, store = setting
    written = uploads.write_blobs(store, [b"mot", b"hai"])
    assert len(written.created) == 2
    with transaction(seeded_sqlite) as session:
        store_file(session, sha256=written.digests[0], size=3, content_type="application/pdf", filename="a.pdf",
                   user_id=None)

    def refused() -> None:
        raise DomainError("draft_not_editable")

    with pytest.raises(DomainError):
        await uploads.recorded(seeded_sqlite, store, written, refused)
    with transaction(seeded_sqlite) as session:
        assert document_repo.file_referenced(session, written.digests[0])
    assert store.path_for(written.digests[0]).exists() and not store.path_for(written.digests[1]).exists()


def _hub_package(pdf: bytes) -> bytes:
    return build_package(small_package(
        sender=Organization("000.00.00.G09", "Bộ Nội vụ"),
        recipients=(Organization("000.00.01.H23", "Văn phòng UBND tỉnh Hà Nam"),),
        document_id="000.00.00.G09,2026/11/20,77/BNV-VP",
        attachments=(Attachment("1", "77-BNV-VP.pdf", pdf, "application/pdf", "Văn bản"),)))


@pytest.mark.parametrize("kind", ["loop", "bomb", "billion"])
def test_a_hub_package_with_a_hostile_pdf_is_refused_and_its_pdf_not_stored(seeded_sqlite, setting, kind):
    _, store = setting
    package = _hub_package(HOSTILE[kind])
    reason = exchange_repo.attachment_refusal(package)
    assert reason and "77-BNV-VP.pdf" in reason
    sha = store.put(package)  # the raw package is kept first, by design (EDXML §9.5)
    with transaction(seeded_sqlite) as session:
        received = exchange_repo.store_received(session, hub_doc_id=f"hub-{kind}", message_type="edoc", data=package,
                                                sha256=sha, put=store.put, attachment_refusal=reason)
    assert received.ack == "fail" and received.reason == reason
    assert _files(store) == 1 and rows(seeded_sqlite, Document) == []
    with transaction(seeded_sqlite) as session:
        assert session.exec(select(StoredFile)).all() == []
    assert exchange_repo.attachment_refusal(_hub_package(hostile.small_pdf(1))) is None

