"""Trust anchors download (API and page link) and the signature badge on the document page."""

from __future__ import annotations

import asyncio
import io
import json

from cryptography import x509
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from temporalio.testing import ActivityEnvironment

from activities.signatures import SignatureActivities, VerifySignaturesInput
from models.signing import demo_pki, pki
from tests.conftest import minimal_pdf
from tests.helpers import sample_metadata
from tests.web.conftest import api_token, browser_login


def _settings(web):
    return web.app.state.qlvb.settings


def _common_names(pem: bytes) -> list[str]:
    return [cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
            for cert in x509.load_pem_x509_certificates(pem)]


async def test_the_api_serves_the_trust_anchors_as_pem(web):
    demo_pki.ensure_demo_pki(_settings(web))
    headers = await api_token(web, "chuyenvien")

    response = await web.get("/api/v1/pki/trust-anchors", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-pem-file"
    assert "attachment" in response.headers["content-disposition"]
    assert _common_names(response.content) == ["QLVB Demo Root CA"]


async def test_the_api_needs_a_bearer_token(web):
    demo_pki.ensure_demo_pki(_settings(web))
    await browser_login(web, "vanthu")  # a session cookie is not enough for API v1

    response = await web.get("/api/v1/pki/trust-anchors")

    assert response.status_code == 401


async def test_an_empty_trust_directory_is_reported_in_vietnamese(web):
    headers = await api_token(web, "vanthu")

    response = await web.get("/api/v1/pki/trust-anchors", headers=headers)

    assert response.status_code == 404
    assert response.json()["code"] == "trust_anchors_empty"
    assert "chứng thư gốc" in response.json()["detail"]


async def test_signed_in_users_download_the_bundle_from_the_page_link(web):
    demo_pki.ensure_demo_pki(_settings(web))

    anonymous = await web.get("/pki/trust-anchors.pem")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")

    await browser_login(web, "vanthu")
    response = await web.get("/pki/trust-anchors.pem")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-pem-file"
    assert _common_names(response.content) == ["QLVB Demo Root CA"]


def _signed_pdf(settings) -> bytes:
    signer = signers.SimpleSigner.load_pkcs12(pki.demo_pkcs12_path(settings, "lanhdao.stc"),
                                              passphrase=pki.demo_password(settings))
    metadata = signers.PdfSignatureMetadata(field_name="NguoiKy", subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(minimal_pdf())), metadata,
                            signer=signer).getvalue()


async def _upload_and_check(web, headers, pdf: bytes) -> str:
    created = await web.post("/api/v1/incoming", headers=headers,
                             files={"file": ("cv.pdf", pdf, "application/pdf")},
                             data={"metadata": json.dumps(sample_metadata(), ensure_ascii=False)})
    assert created.status_code == 201, created.text
    document_id = created.json()["id"]
    state = web.app.state.qlvb
    checker = SignatureActivities(state.engine, state.store, state.settings)
    # pyHanko's sync API cannot run on the test's event loop (STACK-NOTES §1.4): use a thread,
    # as the worker's activity executor does.
    await asyncio.to_thread(ActivityEnvironment().run, checker.verify_signatures,
                            VerifySignaturesInput(document_id))
    return document_id


async def test_the_document_page_shows_a_valid_signature_with_its_signer(web):
    demo_pki.ensure_demo_pki(_settings(web))
    headers = await api_token(web, "vanthu")
    signed = await asyncio.to_thread(_signed_pdf, _settings(web))
    document_id = await _upload_and_check(web, headers, signed)

    api = await web.get(f"/api/v1/documents/{document_id}/signature-check", headers=headers)
    assert api.status_code == 200
    assert api.json()["verdict"] == "valid" and api.json()["checked_at"].endswith("+07:00")

    await browser_login(web, "vanthu")
    page = await web.get(f"/documents/{document_id}")
    assert page.status_code == 200
    assert "Chữ ký số hợp lệ" in page.text
    assert "Bùi Đức Long" in page.text and "Sở Tài chính tỉnh Hà Nam" in page.text
    assert 'href="/pki/trust-anchors.pem"' in page.text

    fragment = await web.get(f"/documents/{document_id}/_signature", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith("<section") and "Chữ ký số hợp lệ" in fragment.text
    direct = await web.get(f"/documents/{document_id}/_signature")
    assert direct.status_code == 303 and direct.headers["location"] == f"/documents/{document_id}"


async def test_the_document_page_says_an_unsigned_document_is_for_reference_only(web):
    headers = await api_token(web, "vanthu")
    document_id = await _upload_and_check(web, headers, minimal_pdf())

    await browser_login(web, "vanthu")
    page = await web.get(f"/documents/{document_id}")

    assert "Văn bản không có chữ ký số — chỉ có giá trị để biết, tham khảo" in page.text


async def test_an_outsider_cannot_read_a_documents_signature_check(web):
    headers = await api_token(web, "vanthu")
    document_id = await _upload_and_check(web, headers, minimal_pdf())
    outsider = await api_token(web, "vanthu.snv")

    response = await web.get(f"/api/v1/documents/{document_id}/signature-check", headers=outsider)

    assert response.status_code == 404
