"""Exporting a hồ sơ from its page (progress, then the download) and through API v1; refused to
people who may not see the hồ sơ."""

from __future__ import annotations

import asyncio
import re
import shutil

import bagit
import pytest

from models.db import reading
from models.documents.file_store import FileStore
from models.org.tables import OrgUnit
from models.records import repo as record_repo
from models.signing import pki
from models.signing.tables import SignatureVerdict
from models.signing.verification import check_pdf_signatures
from tests.helpers import eventually_async, rows, user_and_roles
from tests.record_export_helpers import file_record, signed_pdfs, unzip
from tests.unit.signing_fixtures import demo_settings
from tests.web.conftest import api_token, browser_login

pytestmark = pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript is not installed (make system-deps)")


@pytest.fixture(scope="module")
def pki_settings(tmp_path_factory):
    return demo_settings(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def filed(web, pki_settings):
    """A closed hồ sơ of the office's Phòng Tổng hợp, created by its chuyên viên, with two signed documents."""
    state, engine = web.app.state.qlvb, web.engine
    officer, _ = user_and_roles(engine, "chuyenvien")
    unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH", OrgUnit.agency_id == officer.agency_id)[0]
    return file_record(engine, FileStore(state.settings.files_dir), signed_pdfs(pki_settings, 2),
                       agency_id=officer.agency_id, creator_id=officer.id, unit_id=unit.id)


def _check_package(data: bytes, target, filed, pki_settings) -> None:
    bag_dir = unzip(data, target)
    bagit.Bag(str(bag_dir)).validate()
    roots = pki.trust_anchor_certificates(pki_settings)
    originals = sorted((bag_dir / "data" / "van-ban").glob("*/ban-goc.pdf"))
    assert len(originals) == len(filed.document_ids)
    assert all(check_pdf_signatures(p.read_bytes(), roots).verdict == SignatureVerdict.VALID for p in originals)
    assert (bag_dir / "data" / "ho-so.xml").is_file() and (bag_dir / "data" / "ho-so.pdf").is_file()


async def test_api_exports_the_bag_as_a_zip_to_those_who_see_the_hoso(web, filed, pki_settings, tmp_path):
    creator = await api_token(web, "chuyenvien")
    response = await web.get(f"/api/v1/records/{filed.record_id}/export", headers=creator)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert re.search(r'filename="hoso-000\.00\.01\.H23-2026-01\.TCCB\.zip"', response.headers["content-disposition"])
    await asyncio.to_thread(_check_package, response.content, tmp_path / "api", filed, pki_settings)
    settings = web.app.state.qlvb.settings
    assert not any(settings.exports_dir.iterdir())  # sent once, then removed from disk

    outsider = await api_token(web, "vanthu.snv")  # another agency's văn thư
    refused = await web.get(f"/api/v1/records/{filed.record_id}/export", headers=outsider)
    assert refused.status_code == 404
    missing = await web.get("/api/v1/records/999999/export", headers=creator)
    assert missing.status_code == 404

    schema = (await web.get("/openapi.json")).json()["paths"]["/api/v1/records/{record_id}/export"]["get"]
    assert "application/zip" in schema["responses"]["200"]["content"]


async def test_the_page_exports_with_progress_then_offers_the_download(web, filed, pki_settings, tmp_path):
    csrf = await browser_login(web, "chuyenvien")
    record_page = await web.get(f"/records/{filed.record_id}")  # the hồ sơ page loads the export box
    assert record_page.status_code == 200 and f'hx-get="/records/{filed.record_id}/_export"' in record_page.text
    box = await web.get(f"/records/{filed.record_id}/_export", headers={"HX-Request": "true"})
    assert box.status_code == 200 and "Xuất hồ sơ" in box.text and 'hx-post="/records/' in box.text

    started = await web.post(f"/records/{filed.record_id}/export", data={"idempotency_key": "export-1"},
                             headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert started.status_code == 200, started.text
    export_id = re.search(rf'hx-get="/records/{filed.record_id}/export/([0-9a-f-]+)"', started.text).group(1)
    assert 'hx-trigger="every 2s"' in started.text

    async def ready():
        page = await web.get(f"/records/{filed.record_id}/export/{export_id}", headers={"HX-Request": "true"})
        assert page.status_code == 200
        return page if "Tải gói hồ sơ" in page.text else None

    done = await eventually_async(ready, timeout=120, interval=0.5)
    assert "2 văn bản, 2 trang" in done.text and "every 2s" not in done.text
    link = re.search(r'href="(/records/\d+/export/[0-9a-f-]+/download)"', done.text).group(1)
    download = await web.get(link)
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    await asyncio.to_thread(_check_package, download.content, tmp_path / "page", filed, pki_settings)
    page = await web.get(f"/records/{filed.record_id}/export")  # the box on a page of its own
    assert page.status_code == 200 and "Tải gói hồ sơ" in page.text

    await browser_login(web, "vanthu.snv")  # another agency's văn thư sees none of it
    assert (await web.get(f"/records/{filed.record_id}/_export", headers={"HX-Request": "true"})).status_code == 404
    assert (await web.get(link)).status_code == 404
    with reading(web.engine) as session:
        assert record_repo.access_counts(session, filed.record_id)["downloads"] == 1  # the one download
