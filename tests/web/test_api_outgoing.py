"""Văn bản đi through API v1: draft → review loop → sign → issue → delivered inside the installation.

Real app, real worker, Temporal dev server; the demo PKI signs (the leader's PKCS#12 and the
agency seal).
"""

from __future__ import annotations

import asyncio
import base64
import json

from sqlmodel import select

from models.db import transaction
from models.documents.tables import Document
from models.documents.types import DocumentType
from models.org.tables import Agency, User
from models.outgoing.tables import Recipient, RecipientEvent
from models.signing import demo_pki, pki
from models.signing.tables import SignatureVerdict
from models.signing.verification import check_pdf_signatures
from models.tasks.tables import Task
from models.vocab import TaskStatus
from tests.helpers import eventually, eventually_async, rows
from tests.web.conftest import api_token

SNV_CODE = "000.00.02.H23"


def _ids(engine) -> dict[str, int]:
    with transaction(engine) as session:
        return {
            "cong_van": session.exec(select(DocumentType.id).where(DocumentType.name == "Công văn")).one(),
            "snv": session.exec(select(Agency.id).where(Agency.code == SNV_CODE)).one(),
            "lanhdao": session.exec(select(User.id).where(User.username == "lanhdao")).one(),
        }


def _leader_certificate_pem(settings) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    bundle = pkcs12.load_pkcs12(pki.demo_pkcs12_path(settings, "lanhdao").read_bytes(), pki.demo_password(settings))
    chain = [bundle.cert.certificate] + [extra.certificate for extra in bundle.additional_certs]
    return b"".join(cert.public_bytes(Encoding.PEM) for cert in chain).decode()


def draft_metadata(engine, **overrides) -> dict:
    ids = _ids(engine)
    values = {"doc_type_id": ids["cong_van"], "subject": "Đề nghị cử cán bộ dự tập huấn văn thư",
              "body": "Văn phòng UBND tỉnh đề nghị Sở Nội vụ cử 02 cán bộ dự tập huấn.\n\nTrân trọng.",
              "signer_id": ids["lanhdao"], "recipient_agency_ids": [ids["snv"]]}
    values.update(overrides)
    return values


async def open_task(client, headers, document_id: str, step: str) -> dict:
    """Wait until the user's inbox (their own or their group's) lists the document's step."""
    async def find():
        for scope in ("mine", "unit"):
            response = await client.get("/api/v1/tasks", params={"scope": scope}, headers=headers)
            for task in response.json():
                if task["document_id"] == document_id and task["step"] == step:
                    return task
        return None

    return await eventually_async(find, timeout=30)


async def decide(client, headers, task_id: int, action: str, **fields) -> dict:
    response = await client.post(f"/api/v1/tasks/{task_id}/actions", headers=headers,
                                 json={"action": action, "fields": fields})
    assert response.status_code == 200, response.text
    return response.json()


async def test_outgoing_cong_van_from_draft_to_recipient(web):
    settings = web.app.state.qlvb.settings
    demo_pki.ensure_demo_pki(settings)
    drafter = await api_token(web, "chuyenvien")
    head = await api_token(web, "truongphong")
    clerk = await api_token(web, "vanthu")
    leader = await api_token(web, "lanhdao")

    # A draft marked secret never enters the system.
    before = len(rows(web.engine, Document))
    refused = await web.post("/api/v1/outgoing", headers=drafter,
                             data={"metadata": json.dumps(draft_metadata(web.engine, secrecy="mat"))})
    assert refused.status_code == 422 and refused.json()["code"] == "secret_draft"
    assert len(rows(web.engine, Document)) == before

    created = await web.post("/api/v1/outgoing", headers=drafter,
                             data={"metadata": json.dumps(draft_metadata(web.engine))})
    assert created.status_code == 201, created.text
    draft = created.json()
    document_id = draft["id"]
    assert draft["status"] == "draft" and draft["code_notation"] == "VP-TH"
    assert [r["number"] for r in draft["revisions"]] == [1]
    assert draft["recipients"][0]["organ_id"] == SNV_CODE

    submitted = await web.post(f"/api/v1/outgoing/{document_id}/submit", headers=drafter, json={})
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "in_review"

    # The unit head sends it back; the drafter revises and resubmits through the revise step.
    review = await open_task(web, head, document_id, "review")
    await decide(web, head, review["id"], "tra_lai_du_thao", comment="Bổ sung thời gian tập huấn.")
    revise = await open_task(web, drafter, document_id, "revise")
    revised = await web.post(f"/api/v1/outgoing/{document_id}/revisions", headers=drafter, data={
        "metadata": json.dumps({"body": "Đề nghị cử 02 cán bộ dự tập huấn ngày 15/12.\n\nTrân trọng."}),
        "note": "Bổ sung thời gian"})
    assert revised.status_code == 201, revised.text
    assert revised.json()["number"] == 2
    diff = await web.get(f"/api/v1/outgoing/{document_id}/compare", params={"a": 1, "b": 2}, headers=drafter)
    assert any("15/12" in line for line in diff.json()["diff"])
    await decide(web, drafter, revise["id"], "trinh_lai")

    for headers, step in ((head, "review"), (clerk, "format_check"), (leader, "approve")):
        task = await open_task(web, headers, document_id, step)
        await decide(web, headers, task["id"], "duyet")

    sign = await open_task(web, leader, document_id, "sign")
    # ky_so is never decided by a generic request: the signed file must be made by QLVB.
    generic = await web.post(f"/api/v1/tasks/{sign['id']}/actions", headers=leader,
                             json={"action": "ky_so", "fields": {"file_sha256": "0" * 64}})
    assert generic.status_code == 422 and generic.json()["code"] == "action_needs_own_request"
    # Remote signing: the certificate goes in, only the 32-byte digest comes out (not completed here).
    certificate = _leader_certificate_pem(settings)
    prepared = await web.post(f"/api/v1/tasks/{sign['id']}/sign/remote", headers=leader,
                              json={"certificate_pem": certificate})
    assert prepared.status_code == 200, prepared.text
    assert len(base64.b64decode(prepared.json()["data_to_sign_sha256"])) == 32
    signed = await web.post(f"/api/v1/tasks/{sign['id']}/sign", headers=leader, json={})
    assert signed.status_code == 200, signed.text
    assert signed.json()["document_status"] == "signed"

    issue = await open_task(web, clerk, document_id, "issue")
    await decide(web, clerk, issue["id"], "ban_hanh")

    def issued():
        found = rows(web.engine, Document, Document.id == document_id)[0]
        return found if found.status == "issued" else None

    document = await eventually(issued, timeout=30)
    assert document.code_number == "01"
    pdf = await web.get(f"/api/v1/documents/{document_id}/file", headers=drafter)
    report = await asyncio.to_thread(check_pdf_signatures, pdf.content, pki.trust_anchor_certificates(settings))
    assert report.verdict == SignatureVerdict.VALID
    assert len(report.signatures) == 2

    # Delivered at once into Sở Nội vụ's intake, with the same số/ký hiệu.
    def delivered():
        recipient = rows(web.engine, Recipient, Recipient.document_id == document_id)[0]
        return recipient if recipient.incoming_document_id else None

    recipient = await eventually(delivered, timeout=30)
    codes = [e.code for e in rows(web.engine, RecipientEvent, RecipientEvent.recipient_id == recipient.id)]
    assert codes[:2] == ["sent", "01"]
    snv_clerk = await api_token(web, "vanthu.snv")
    incoming = await web.get(f"/api/v1/documents/{recipient.incoming_document_id}", headers=snv_clerk)
    assert incoming.status_code == 200
    assert incoming.json()["so_ky_hieu"] == "01/VP-TH"
    assert incoming.json()["direction"] == "incoming"

    tracking = (await web.get(f"/api/v1/outgoing/{document_id}", headers=drafter)).json()
    assert [e["code"] for e in tracking["recipients"][0]["events"]][:2] == ["sent", "01"]
    assert [r["stage"] for r in tracking["revisions"]] == ["draft", "draft", "signed", "issued"]

    # A third agency sees nothing of it.
    outsider = await api_token(web, "vanthu.stc")
    assert (await web.get(f"/api/v1/outgoing/{document_id}", headers=outsider)).status_code == 404
    assert (await web.get(f"/api/v1/documents/{document_id}", headers=outsider)).status_code == 404
    assert not rows(web.engine, Task, Task.document_id == document_id,
                    Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED]))


async def test_only_drafting_roles_draft_and_bad_recipients_store_nothing(web):
    clerk = await api_token(web, "vanthu")
    drafter = await api_token(web, "chuyenvien")
    refused = await web.post("/api/v1/outgoing", headers=clerk,
                             data={"metadata": json.dumps(draft_metadata(web.engine))})
    assert refused.status_code == 403
    before = len(rows(web.engine, Document))
    unknown = await web.post("/api/v1/outgoing", headers=drafter, data={"metadata": json.dumps(
        draft_metadata(web.engine, recipient_agency_ids=[], recipient_codes=["999.99.99.X99"]))})
    assert unknown.status_code == 422
    assert "recipient_codes" in unknown.json()["errors"]
    assert len(rows(web.engine, Document)) == before
