"""The văn thư is warned of a probable duplicate on the intake form, before a số đến is taken."""

from __future__ import annotations

import re
import unicodedata

from sqlmodel import select

from models.audit import AuditEvent
from models.db import transaction
from models.documents.tables import Document
from models.registers.tables import RegisterEntry
from tests.conftest import minimal_pdf
from tests.helpers import eventually, rows
from tests.web.conftest import browser_login

FORM = {"code_number": "12", "code_notation": "UBND-VP", "issued_date": "2026-12-03",
        "organ_name": "Ủy ban nhân dân tỉnh Ninh Bình", "type_name": "Công văn",
        "subject": "V/v triển khai kế hoạch chuyển đổi số năm 2027"}
# The same document as another văn thư would type it: capitals with marks, decomposed Unicode,
# "Số" before the number, a lower-case ký hiệu, extra spaces.
TYPED_AGAIN = {**FORM, "code_number": "Số 12", "code_notation": "ubnd-vp",
               "organ_name": unicodedata.normalize("NFD", "ỦY BAN NHÂN DÂN  TỈNH NINH BÌNH"),
               "subject": "V/v TRIỂN KHAI kế hoạch  chuyển đổi số năm 2027"}


async def _submit(web, csrf, values, **extra):
    return await web.post("/documents/new", data={"csrf_token": csrf, **values, **extra},
                          files={"file": ("cv.pdf", minimal_pdf(), "application/pdf")})


async def test_the_form_warns_before_registering_and_registers_once_the_clerk_confirms(web):
    csrf = await browser_login(web, "vanthu")
    form = await web.get("/documents/new")
    assert form.status_code == 200 and 'id="duplicate-check"' in form.text and 'hx-post="/documents/duplicates"' in form.text
    first = await _submit(web, csrf, FORM)
    assert first.status_code == 303
    first_id = first.headers["location"].rsplit("/", 1)[1]

    # While typing (htmx on change): the warning with a link to the earlier document.
    check = await web.post("/documents/duplicates", data={"csrf_token": csrf, **TYPED_AGAIN},
                           headers={"HX-Request": "true"})
    assert check.status_code == 200 and 'id="duplicate-warning"' in check.text
    assert f'href="/documents/{first_id}"' in check.text and 'name="duplicate_confirmed"' in check.text
    other = await web.post("/documents/duplicates", data={"csrf_token": csrf, **{**TYPED_AGAIN, "code_number": "13"}},
                           headers={"HX-Request": "true"})
    assert "duplicate-warning" not in other.text

    # Submitted without confirming: the form again with the warning; nothing stored, no number taken.
    refused = await _submit(web, csrf, TYPED_AGAIN)
    assert refused.status_code == 409
    assert "có thể trùng" in refused.text and f'href="/documents/{first_id}"' in refused.text
    assert len(rows(web.engine, Document)) == 1
    await eventually(lambda: rows(web.engine, RegisterEntry))  # the first one is registered meanwhile
    assert [entry.document_id for entry in rows(web.engine, RegisterEntry)] == [first_id]

    # Confirmed: registered, and the decision is in the audit trail.
    confirmed = await _submit(web, csrf, TYPED_AGAIN, duplicate_confirmed="on")
    assert confirmed.status_code == 303
    second_id = confirmed.headers["location"].rsplit("/", 1)[1]
    with transaction(web.engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.subject_id == second_id,
                                                      AuditEvent.code == "document.duplicate_confirmed")).one()
    assert event.data["duplicate_of"] == [first_id] and event.data["step"] == "intake"
    await eventually(lambda: len(rows(web.engine, RegisterEntry)) == 2)
    page = await web.get(f"/documents/{second_id}")
    assert 'id="duplicate-warning"' in page.text and f'href="/documents/{first_id}"' in page.text
    assert "Xác nhận vào sổ dù có thể trùng" in page.text


async def test_a_different_document_goes_through_without_a_warning(web):
    csrf = await browser_login(web, "vanthu")
    assert (await _submit(web, csrf, FORM)).status_code == 303
    another = await _submit(web, csrf, {**FORM, "code_number": "13", "subject": "V/v họp giao ban tháng 12"})
    assert another.status_code == 303
    page = await web.get(another.headers["location"])
    assert "duplicate-warning" not in page.text


async def test_the_suggestions_from_the_file_come_with_the_warning(web):
    csrf = await browser_login(web, "vanthu")
    assert (await _submit(web, csrf, FORM)).status_code == 303
    fragment = await web.post("/documents/suggest", headers={"HX-Request": "true"},
                              data={"csrf_token": csrf, **TYPED_AGAIN},
                              files={"file": ("cv.pdf", minimal_pdf(), "application/pdf")})
    assert fragment.status_code == 200
    assert re.search(r'id="duplicate-warning"', fragment.text)


async def test_api_clients_can_ask_before_registering_and_are_never_refused(web):
    import json

    from tests.web.conftest import api_token

    clerk = await api_token(web, "vanthu")
    created = await web.post("/api/v1/incoming", headers=clerk, data={"metadata": json.dumps(FORM)},
                             files={"file": ("cv.pdf", minimal_pdf(), "application/pdf")})
    assert created.status_code == 201
    asked = await web.post("/api/v1/incoming/duplicates", headers=clerk,
                           data={"metadata": json.dumps(TYPED_AGAIN)})
    assert asked.status_code == 200 and asked.json()["duplicate_of"] == [created.json()["id"]]
    again = await web.post("/api/v1/incoming", headers=clerk, data={"metadata": json.dumps(TYPED_AGAIN)},
                           files={"file": ("cv.pdf", minimal_pdf(), "application/pdf")})
    assert again.status_code == 201 and again.json()["duplicate_of"] == [created.json()["id"]]
