"""Suggestions read from an electronic PDF's text layer fill the intake form; nothing is stored."""

from __future__ import annotations

import re

from weasyprint import HTML

from models.documents.tables import Document
from tests.helpers import rows
from tests.web.conftest import api_token, browser_login

LETTER = """<html><body style="font-family: 'Times New Roman'; font-size: 13pt">
<p>ỦY BAN NHÂN DÂN TỈNH HÀ NAM<br>SỞ TÀI CHÍNH</p>
<p>Số: 2491/STC-NS</p>
<p>V/v hướng dẫn lập dự toán ngân sách năm 2027</p>
<p>Hà Nam, ngày 05 tháng 11 năm 2026</p>
<p>Kính gửi: Văn phòng Ủy ban nhân dân tỉnh</p>
<p>Sở Tài chính hướng dẫn như sau.</p>
<p>GIÁM ĐỐC</p><p>Bùi Đức Long</p>
</body></html>"""


def _letter_pdf() -> bytes:
    return HTML(string=LETTER).write_pdf()


async def test_it_suggests_metadata_from_the_text_layer(web):
    clerk = await api_token(web, "vanthu")
    response = await web.post("/api/v1/incoming/suggest", headers=clerk,
                              files={"file": ("cv.pdf", _letter_pdf(), "application/pdf")})
    assert response.status_code == 200, response.text
    suggestions = response.json()["suggestions"]
    assert suggestions["code_number"] == "2491"
    assert suggestions["code_notation"] == "STC-NS"
    assert suggestions["issued_date"] == "2026-11-05"
    assert suggestions["subject"].startswith("V/v hướng dẫn lập dự toán")
    assert rows(web.engine, Document) == []

    bad = await web.post("/api/v1/incoming/suggest", headers=clerk,
                         files={"file": ("x.pdf", b"not a pdf", "application/pdf")})
    assert bad.status_code == 422


async def test_it_fills_the_form_fields_but_keeps_what_the_clerk_typed(web):
    csrf = await browser_login(web, "vanthu")
    response = await web.post("/documents/suggest", headers={"HX-Request": "true"},
                              data={"csrf_token": csrf, "organ_name": "Sở Tài chính tỉnh Hà Nam (đã sửa)"},
                              files={"file": ("cv.pdf", _letter_pdf(), "application/pdf")})
    assert response.status_code == 200
    assert 'id="metadata-fields"' in response.text and "<html" not in response.text
    assert re.search(r'name="code_number"[^>]*value="2491"', response.text)
    assert 'value="Sở Tài chính tỉnh Hà Nam (đã sửa)"' in response.text
    assert "Đã điền sẵn từ nội dung tệp" in response.text
