"""Văn bản đi in the browser: the list, the new-draft form, the draft's page."""

from __future__ import annotations

import re

from sqlmodel import select

from models.db import transaction
from models.documents.tables import Document
from models.documents.types import DocumentType
from models.org.tables import Agency, User
from tests.helpers import rows
from tests.web.conftest import browser_login


def _form_ids(engine) -> tuple[int, int, int]:
    with transaction(engine) as session:
        return (session.exec(select(DocumentType.id).where(DocumentType.name == "Công văn")).one(),
                session.exec(select(User.id).where(User.username == "lanhdao")).one(),
                session.exec(select(Agency.id).where(Agency.code == "000.00.02.H23")).one())


async def test_draft_from_the_form_and_its_page(web):
    csrf = await browser_login(web, "chuyenvien")
    listing = await web.get("/outgoing")
    assert listing.status_code == 200 and "Soạn văn bản đi" in listing.text
    form = await web.get("/outgoing/new")
    assert form.status_code == 200
    assert "Sở Nội vụ tỉnh Hà Nam" in form.text and "Trần Văn Minh" in form.text

    type_id, signer_id, snv_id = _form_ids(web.engine)
    created = await web.post("/outgoing/new", data={
        "csrf_token": csrf, "doc_type_id": str(type_id), "subject": "Báo cáo tình hình văn thư năm 2026",
        "content_mode": "form", "body": "Văn phòng UBND tỉnh báo cáo như sau.", "urgency": "khan",
        "signer_id": str(signer_id), "competence": "KT.", "competence_title": "CHÁNH VĂN PHÒNG",
        "recipient_agency_ids": str(snv_id)})
    assert created.status_code == 303, created.text
    target = created.headers["location"]
    document_id = re.fullmatch(r"/outgoing/([0-9a-f-]+)", target).group(1)

    page = await web.get(target)
    assert page.status_code == 200
    assert "Đã tạo dự thảo “Báo cáo tình hình văn thư năm 2026”." in page.text
    assert 'data-revision="1"' in page.text
    assert "Sở Nội vụ tỉnh Hà Nam" in page.text and "Trình dự thảo" in page.text
    assert (await web.get(f"/outgoing/{document_id}/revisions/1/file")).headers["content-type"] == "application/pdf"
    # The generic document page sends outgoing documents here.
    assert (await web.get(f"/documents/{document_id}")).headers["location"] == target
    listed = await web.get("/outgoing")
    assert f"/outgoing/{document_id}" in listed.text

    commented = await web.post(f"/outgoing/{document_id}/comments", data={"csrf_token": csrf,
                                                                          "body": "Xin ý kiến phòng."})
    assert commented.status_code == 303
    page = await web.get(target)
    assert "Xin ý kiến phòng." in page.text and "Đã ghi ý kiến vào dự thảo." in page.text


async def test_form_errors_are_shown_and_nothing_is_stored(web):
    csrf = await browser_login(web, "chuyenvien")
    type_id, signer_id, _ = _form_ids(web.engine)
    before = len(rows(web.engine, Document))
    response = await web.post("/outgoing/new", data={
        "csrf_token": csrf, "doc_type_id": str(type_id), "subject": "Thiếu nơi nhận", "content_mode": "form",
        "body": "Nội dung.", "signer_id": str(signer_id)})
    assert response.status_code == 422
    assert "Nơi nhận trong tỉnh" in response.text
    assert len(rows(web.engine, Document)) == before
