"""Exporting a hồ sơ (F-III.4.g) on SQLite and PostgreSQL: the BagIt package, its originals, its
PDF/A copies, its chronological PDF and its metadata XML; who may export; a missing file."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from pathlib import Path

import bagit
import pikepdf
import pytest
from lxml import etree
from ocrmypdf.pdfa import file_claims_pdfa
from sqlmodel import select
from temporalio.exceptions import CancelledError
from temporalio.testing import ActivityEnvironment

from activities.record_export import RecordExportActivities
from activities.records import RecordActivities
from commands import record_export
from models.audit import AuditEvent
from models.db import reading, transaction
from models.documents.file_store import FileStore
from models.documents.preservation import PreservationCopy
from models.documents.tables import DocumentFile, StoredFile
from models.errors import DomainError, NotFound
from models.org.tables import Agency, User
from models.records import archive_repo
from models.records import repo as record_repo
from models.records.bag import ExportBuildFailed
from models.records.export import ExportStatus, RecordExport
from models.records.tables import RecordStatus
from models.signing import pki
from models.signing.tables import SignatureVerdict
from models.signing.verification import check_pdf_signatures
from models.vocab import AgencyKind, Role
from tests.factories import make_org
from tests.record_export_helpers import file_record, signed_pdfs, unzip
from tests.unit.signing_fixtures import demo_settings
from workflows.record_contracts import CorrectRecordInput, PrepareRecordPackageInput, RecordExportInput

pytestmark = pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript is not installed (make system-deps)")
DOCUMENTS = 3


@pytest.fixture(scope="module")
def pki_settings(tmp_path_factory):
    return demo_settings(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def pdfs(pki_settings):
    return signed_pdfs(pki_settings, DOCUMENTS + 1)  # the last one is an attachment


@pytest.fixture
def setup(engine, tmp_path, pki_settings, pdfs):
    settings = pki_settings.model_copy(update={"var_dir": tmp_path / "var"})
    store = FileStore(settings.files_dir)
    with transaction(engine) as session:
        org = make_org(session)
    filed = file_record(engine, store, pdfs[:DOCUMENTS], agency_id=org.agency_id,
                        creator_id=org.users["officer"].id, unit_id=org.units["TH"], attachment=pdfs[-1])
    return settings, store, org, filed


def _export(engine, settings, store, user, roles, record_id):
    package = record_export.export_now(engine, settings, store, user=user, roles=roles, record_id=record_id)
    folder = unzip(package.path.read_bytes(), settings.var_dir / "unzipped" / package.export_id)
    return package, folder


def test_the_package_is_a_valid_bag_of_the_originals_their_pdfa_copies_one_pdf_and_the_metadata(engine, setup, pdfs,
                                                                                              pki_settings):
    settings, store, org, filed = setup
    package, bag_dir = _export(engine, settings, store, org.users["officer"], org.roles["officer"], filed.record_id)

    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # every payload file against the SHA-256 manifest, and the tag manifest
    assert bag.algorithms == ["sha256"]
    for relative, digests in bag.payload_entries().items():
        assert hashlib.sha256((bag_dir / relative).read_bytes()).hexdigest() == digests["sha256"]

    # Chronological: the documents are dated newest first by DocOrdinal, so the last comes first.
    roots = pki.trust_anchor_certificates(pki_settings)
    for position, document_id in enumerate(reversed(filed.document_ids), start=1):
        folder = bag_dir / "data" / "van-ban" / f"{position:04d}"
        original = (folder / "ban-goc.pdf").read_bytes()
        assert original == store.read(filed.digests[document_id])  # byte for byte the stored file
        assert original in pdfs
        assert check_pdf_signatures(original, roots).verdict == SignatureVerdict.VALID
        claim = file_claims_pdfa(folder / "pdfa-2b.pdf")
        assert claim["pass"] and claim["conformance"] == "PDF/A-2b"
    attachments = list((bag_dir / "data" / "van-ban" / f"{DOCUMENTS:04d}" / "dinh-kem").iterdir())
    assert [a.name for a in attachments] == ["01-Phu_luc_danh_sach.pdf"]
    assert attachments[0].read_bytes() == pdfs[-1]

    with pikepdf.open(bag_dir / "data" / "ho-so.pdf") as joined:
        with joined.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert len(joined.pages) >= DOCUMENTS + 1  # the Mục lục, then a page per document
    assert titles[0] == "Mục lục văn bản trong hồ sơ"
    assert titles[1].startswith(f"1. {DOCUMENTS}/QĐ-VP") and len(titles) == DOCUMENTS + 1

    xml = etree.parse(str(bag_dir / "data" / "ho-so.xml")).getroot()
    assert xml.tag == "File"
    assert xml.findtext("FileCode/OrganId") == "000.00.01.H23"
    assert xml.findtext("FileCode/FileCatalog") == "2026" and xml.findtext("FileCode/FileNotation") == "01.TCCB"
    assert xml.findtext("Title") == "Hồ sơ tuyển dụng công chức năm 2026"
    assert xml.findtext("Maintenance") == "Vĩnh viễn" and xml.findtext("Rights") == "Sử dụng rộng rãi"
    assert xml.findtext("Creator") == "Officer" and xml.findtext("Language") == "Tiếng Việt"
    assert (xml.findtext("StartDate"), xml.findtext("EndDate")) == ("2026-01-01", "2026-03-31")
    assert xml.findtext("DocTotal") == str(DOCUMENTS) and xml.findtext("PageTotal") == str(DOCUMENTS)
    documents = xml.findall("Documents/Document")
    assert [d.findtext("DocOrdinal") for d in documents] == [str(n) for n in range(DOCUMENTS, 0, -1)]
    first, second = documents[0], documents[1]  # DocOrdinal 3 (outgoing), 2 (incoming)
    assert first.get("direction") == "outgoing" and first.findtext("To/OrganId") == "000.00.02.H23"
    assert first.findtext("SignerInfo/FullName") == "Trần Văn Minh" and first.findtext("PageAmount") == "1"
    assert second.get("direction") == "incoming" and second.findtext("ArrivalNumber") == "2"
    assert second.findtext("ArrivalDate") == "2026-03-02" and second.findtext("FileCode/FileNotation") == "01.TCCB"
    original = first.find("Files/Original")
    assert original.get("path") == "van-ban/0001/ban-goc.pdf"
    assert original.get("sha256") == filed.digests[filed.document_ids[-1]]
    assert first.find("Files/PreservationCopy").get("conformance") == "PDF/A-2b"


def test_copies_are_kept_once_and_held_by_their_documents_and_every_export_is_audited(engine, setup):
    settings, store, org, filed = setup
    officer, roles = org.users["officer"], org.roles["officer"]
    _export(engine, settings, store, officer, roles, filed.record_id)
    with reading(engine) as session:
        copies = {c.source_sha256: c.tool for c in session.exec(select(PreservationCopy).where(
            PreservationCopy.conformance == "PDF/A-2b"))}
        held = {h.document_id for h in session.exec(select(DocumentFile).where(DocumentFile.role == "pdfa"))}
        files = len(session.exec(select(StoredFile)).all())
    assert set(copies) == set(filed.digests.values())
    assert held == set(filed.document_ids)
    assert all(tool.startswith("Ghostscript") for tool in copies.values())

    _export(engine, settings, store, officer, roles, filed.record_id)  # the copies are reused
    with reading(engine) as session:
        assert len(session.exec(select(StoredFile)).all()) == files
        codes = [e.code for e in session.exec(select(AuditEvent).where(
            AuditEvent.subject_type == "record", AuditEvent.subject_id == str(filed.record_id)))]
        counts = record_repo.access_counts(session, filed.record_id)
        exports = [(e.status, e.documents) for e in session.exec(select(RecordExport))]
    assert codes.count("record.export_requested") == codes.count("record.exported") == 2
    assert counts["downloads"] == 2  # each export counts as a download of the hồ sơ
    assert exports == [(ExportStatus.DONE, DOCUMENTS)] * 2


def test_only_those_who_see_the_hoso_may_export_it_and_a_disposed_one_has_nothing_to_export(engine, setup):
    settings, store, org, filed = setup
    with transaction(engine) as session:
        agency = Agency(code="000.00.09.H23", name="Sở Tài chính tỉnh Hà Nam", abbreviation="STC",
                        kind=AgencyKind.DEPARTMENT, place_name="Hà Nam")
        session.add(agency)
        session.flush()
        stranger = User(username="vanthu.stc", full_name="Văn thư Sở Tài chính", agency_id=agency.id, password_hash="!")
        session.add(stranger)
        session.flush()
    with pytest.raises(NotFound):  # another agency's văn thư does not see the hồ sơ
        record_export.export_now(engine, settings, store, user=stranger, roles={Role.CLERK}, record_id=filed.record_id)
    with transaction(engine) as session:
        record = record_repo.get(session, filed.record_id)
        record.status = RecordStatus.DISPOSED
        session.add(record)
    with pytest.raises(DomainError) as refused:
        record_export.export_now(engine, settings, store, user=org.users["clerk"], roles=org.roles["clerk"],
                                 record_id=filed.record_id)
    assert refused.value.code == "record_export_disposed"
    with reading(engine) as session:
        assert session.exec(select(RecordExport)).all() == []  # a refusal changes nothing


def test_a_missing_file_fails_the_export_and_says_which_document(engine, setup):
    settings, store, org, filed = setup
    store.path_for(filed.digests[filed.document_ids[0]]).unlink()
    with pytest.raises(ExportBuildFailed) as failed:
        record_export.export_now(engine, settings, store, user=org.users["clerk"], roles=org.roles["clerk"],
                                 record_id=filed.record_id)
    assert failed.value.code == "record_export_file_missing"
    assert failed.value.params["so_ky_hieu"] == "1/QĐ-VP"
    with reading(engine) as session:
        export = session.exec(select(RecordExport)).one()
        state = (export.id, export.status, export.error)
    assert state[1:] == (ExportStatus.FAILED, "record_export_file_missing")
    assert not (settings.exports_dir / state[0]).exists()


def test_the_worker_activity_builds_the_row_once_with_its_progress(engine, setup):
    settings, store, org, filed = setup
    with transaction(engine) as session:
        export = RecordExport(id=str(uuid.uuid4()), record_id=filed.record_id, requested_by=org.users["clerk"].id)
        session.add(export)
    activities = RecordExportActivities(engine, store, settings)
    environment = ActivityEnvironment()
    beats = []
    environment.on_heartbeat = lambda *details: beats.append(details)
    result = environment.run(activities.export_record, RecordExportInput(export.id))
    assert result.documents == DOCUMENTS and result.size > 0
    assert {details[0] for details in beats} >= {"preservation", "payload", "cover", "join", "bag"}
    with reading(engine) as session:
        row = session.get(RecordExport, export.id)
        assert (row.status, row.documents, row.pages) == (ExportStatus.DONE, DOCUMENTS, DOCUMENTS)
    (package,) = (settings.exports_dir / export.id).iterdir()
    bagit.Bag(str(unzip(package.read_bytes(), settings.var_dir / "unzipped"))).validate()
    modified = package.stat().st_mtime_ns
    again = environment.run(activities.export_record, RecordExportInput(export.id))  # a retry after success
    assert again == result and package.stat().st_mtime_ns == modified
    assert Path(package).name == "hoso-000.00.01.H23-2026-01.TCCB.zip"


def test_a_cancelled_export_stops_the_child_that_builds_it(engine, setup):
    settings, store, org, filed = setup
    with transaction(engine) as session:
        export = RecordExport(id=str(uuid.uuid4()), record_id=filed.record_id, requested_by=org.users["clerk"].id)
        session.add(export)
    environment = ActivityEnvironment()

    def on_heartbeat(*details):
        if details and details[0] == "payload":
            environment.cancel()  # a worker stop or a cancel request, while the child copies files

    environment.on_heartbeat = on_heartbeat
    with pytest.raises(CancelledError):
        environment.run(RecordExportActivities(engine, store, settings).export_record, RecordExportInput(export.id))
    builders = subprocess.run(["pgrep", "-f", f"models.records.bag .*{export.id}"], capture_output=True, text=True)
    assert builders.stdout == ""  # killed with everything it started
    with reading(engine) as session:
        assert session.get(RecordExport, export.id).status == ExportStatus.RUNNING  # retried, never "done"


def _prepared_events(engine, record_id: int) -> list[dict]:
    with reading(engine) as session:
        return [e.data for e in session.exec(select(AuditEvent).where(
            AuditEvent.code == "record.package_prepared", AuditEvent.subject_id == str(record_id)))]


def test_the_package_is_prepared_once_and_a_correction_of_the_closed_hoso_prepares_it_again(engine, setup):
    settings, store, org, filed = setup
    officer, roles = org.users["officer"], org.roles["officer"]
    exports = RecordExportActivities(engine, store, settings)
    environment = ActivityEnvironment()
    prepare = PrepareRecordPackageInput(filed.record_id)
    assert environment.run(exports.prepare_record_package, prepare) is True  # what closing starts
    assert environment.run(exports.prepare_record_package, prepare) is False  # the same state: nothing to do
    with reading(engine) as session:
        stored = {f.sha256 for f in session.exec(select(StoredFile))}
        derived = {f.filename: f.sha256 for f in session.exec(select(StoredFile).where(
            StoredFile.filename.startswith(f"hoso-{filed.record_id}-")))}
        disposable = set(archive_repo.releasable_blobs(session, filed.record_id))
    # Stored files like any other: the fixity round re-hashes them, a disposal removes them.
    assert sorted(derived) == [f"hoso-{filed.record_id}-{name}" for name in ("goi.json", "ho-so.pdf", "ho-so.xml")]
    assert all(hashlib.sha256(store.read(digest)).hexdigest() == digest for digest in derived.values())
    assert set(derived.values()) <= disposable
    _, before = _export(engine, settings, store, officer, roles, filed.record_id)
    with reading(engine) as session:
        assert {f.sha256 for f in session.exec(select(StoredFile))} == stored  # only stored files packaged
    assert len(_prepared_events(engine, filed.record_id)) == 1
    old_reading = (before / "data" / "ho-so.pdf").read_bytes()

    corrected = "Hồ sơ tuyển dụng công chức năm 2026 (đính chính)"
    assert RecordActivities(engine, store).correct_record(CorrectRecordInput(
        "dinh-chinh-1", filed.record_id, org.users["clerk"].id, "Sai tên hồ sơ", {"title": corrected}))
    assert environment.run(exports.prepare_record_package, prepare) is True  # the old state's package no longer holds

    _, after = _export(engine, settings, store, officer, roles, filed.record_id)
    bagit.Bag(str(after)).validate()
    assert etree.parse(str(after / "data" / "ho-so.xml")).getroot().findtext("Title") == corrected
    assert (after / "data" / "ho-so.pdf").read_bytes() != old_reading  # its Mục lục names the new title
    for relative in ("van-ban/0001/ban-goc.pdf", "van-ban/0001/pdfa-2b.pdf"):  # the documents' files are kept
        assert (after / "data" / relative).read_bytes() == (before / "data" / relative).read_bytes()
    events = _prepared_events(engine, filed.record_id)
    assert len(events) == 2 and events[0]["fingerprint"] != events[1]["fingerprint"]
