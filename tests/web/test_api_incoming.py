"""API v1: the incoming slice end to end, and bad input that must change nothing."""

from __future__ import annotations

import json

from models.documents.tables import Document
from tests.conftest import minimal_pdf
from tests.helpers import eventually_async, rows, sample_metadata
from tests.web.conftest import api_token


async def _post_incoming(web, headers, pdf=None, **metadata):
    files = {"file": ("cv.pdf", pdf if pdf is not None else minimal_pdf(), "application/pdf")}
    return await web.post("/api/v1/incoming", headers=headers, files=files,
                          data={"metadata": json.dumps(sample_metadata(**metadata), ensure_ascii=False)})


async def _document_when(web, headers, document_id, predicate):
    async def check():
        body = (await web.get(f"/api/v1/documents/{document_id}", headers=headers)).json()
        return body if predicate(body) else None
    return await eventually_async(check)


async def _leader_task(web, headers, document_id):
    async def check():
        tasks = (await web.get("/api/v1/tasks?scope=unit", headers=headers)).json()
        return next((t for t in tasks if t["document_id"] == document_id), None)
    return await eventually_async(check)


async def test_it_registers_an_upload_and_lets_the_leader_direct_it(web):
    clerk = await api_token(web, "vanthu")
    created = await _post_incoming(web, clerk, priority="hoa_toc")
    assert created.status_code == 201, created.text
    document_id = created.json()["id"]

    registered = await _document_when(web, clerk, document_id, lambda d: d["arrival_number"])
    assert registered["arrival_number"] == 1
    assert registered["arrival_date"].endswith("+07:00")
    assert registered["status"] == "registered"

    leader = await api_token(web, "lanhdao")
    task = await _leader_task(web, leader, document_id)
    assert task["urgency"] == "hoa_toc"
    assert {a["action"] for a in task["actions"]} == {"giao_xu_ly", "luu_tham_khao"}
    direct = next(a for a in task["actions"] if a["action"] == "giao_xu_ly")
    assert {"name": "opinion", "kind": "text", "required": True, "label": "Ý kiến chỉ đạo"} in direct["fields"]

    # The clerk cannot act on the leader's task.
    refused = await web.post(f"/api/v1/tasks/{task['id']}/actions", headers=clerk,
                             json={"action": "luu_tham_khao", "fields": {}})
    assert refused.status_code == 404
    assert "không thuộc quyền" in refused.json()["detail"]

    # Missing required field: 422 in Vietnamese, the task stays open.
    invalid = await web.post(f"/api/v1/tasks/{task['id']}/actions", headers=leader,
                             json={"action": "giao_xu_ly", "fields": {"opinion": ""}})
    assert invalid.status_code == 422
    assert invalid.json()["errors"]["opinion"] == "Ý kiến chỉ đạo: bắt buộc nhập"

    me = (await web.get("/api/v1/me", headers=leader)).json()
    units = {a["code"]: a for a in (await web.get("/api/v1/agencies", headers=leader)).json()}
    unit_id = units[me["agency"]["code"]]["units"][0]["id"]
    done = await web.post(f"/api/v1/tasks/{task['id']}/actions", headers=leader, json={
        "action": "giao_xu_ly", "nonce": "abc",
        "fields": {"opinion": "Giao chủ trì tham mưu, báo cáo trước hạn", "lead_unit_id": unit_id}})
    assert done.status_code == 200, done.text
    assert done.json()["document_status"] == "directed"

    again = await web.post(f"/api/v1/tasks/{task['id']}/actions", headers=leader,
                           json={"action": "luu_tham_khao", "fields": {}})
    assert again.status_code == 409
    assert "đã được xử lý xong" in again.json()["detail"]

    final = (await web.get(f"/api/v1/documents/{document_id}", headers=clerk)).json()
    assert final["status"] == "directed"
    codes = [h["code"] for h in final["history"]]
    assert codes[:5] == ["document.received", "document.signature_checked", "document.registered",
                         "task.opened", "document.giao_xu_ly"]
    assert final["history"][4]["actor"] == "Trần Văn Minh"
    # Unsigned upload: accepted for information only (QĐ44 Điều 4.2).
    assert final["history"][1]["data"]["verdict"] == "unsigned"

    file = await web.get(f"/api/v1/documents/{document_id}/file", headers=clerk)
    assert file.status_code == 200 and file.content.startswith(b"%PDF-")

    registers = (await web.get("/api/v1/registers?kind=incoming&year=2026", headers=clerk)).json()
    assert registers[0]["name"] == "Sổ đăng ký văn bản đến"
    entries = (await web.get(f"/api/v1/registers/{registers[0]['id']}/entries", headers=clerk)).json()
    assert [(e["number"], e["document_id"]) for e in entries] == [(1, document_id)]


async def test_it_refuses_bad_uploads_and_stores_nothing(web):
    clerk = await api_token(web, "vanthu")
    cases = [
        (dict(pdf=b"hello, not a pdf"), 422, "không phải PDF"),
        (dict(pdf=b"%PDF-1.7\n1 0 obj garbage"), 422, "bị hỏng"),
        (dict(pdf=b"%PDF-" + b"0" * (3 * 1024 * 1024)), 413, "vượt quá dung lượng"),
        (dict(subject=""), 422, "chưa hợp lệ"),
        (dict(issued_date="20/11/2026"), 422, "chưa hợp lệ"),
        (dict(secrecy="mat"), 422, "kênh văn bản mật"),
        (dict(priority="Mật"), 422, "kênh văn bản mật"),
    ]
    for kwargs, status, text in cases:
        response = await _post_incoming(web, clerk, **kwargs)
        assert response.status_code == status, (kwargs.keys(), response.text)
        assert text in response.json()["detail"], response.json()
    missing = await web.post("/api/v1/incoming", headers=clerk,
                             data={"metadata": json.dumps(sample_metadata())})
    assert missing.status_code == 422
    assert rows(web.engine, Document) == []

    leader = await api_token(web, "lanhdao")
    not_clerk = await _post_incoming(web, leader)
    assert not_clerk.status_code == 422 and "Chỉ văn thư" in not_clerk.json()["detail"]


async def test_it_refuses_wrong_passwords_and_unauthenticated_calls(web):
    wrong = await web.post("/api/v1/auth/token", data={"username": "vanthu", "password": "Sai-mat-khau1"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    anonymous = await web.get("/api/v1/me")
    assert anonymous.status_code == 401
    assert "đăng nhập" in anonymous.json()["detail"]
    openapi = (await web.get("/openapi.json")).json()
    assert "/api/v1/incoming" in openapi["paths"]


async def test_it_warns_about_a_probable_duplicate_but_accepts_it(web):
    clerk = await api_token(web, "vanthu")
    first = (await _post_incoming(web, clerk)).json()
    assert first["duplicate_of"] == []
    assert first["document_identifier"] == "000.00.03.H23,2026/11/20,125/STC-NS"
    second = await _post_incoming(web, clerk, code_notation="stc-ns")
    assert second.status_code == 201
    assert second.json()["duplicate_of"] == [first["id"]]
    other = await _post_incoming(web, clerk, code_number="126")
    assert other.json()["duplicate_of"] == []


async def test_text_with_control_or_bidi_override_characters_is_refused_and_nothing_is_stored(web, tmp_path):
    """NUL, other control characters and bidirectional overrides in any text field, named in Vietnamese."""
    clerk = await api_token(web, "vanthu")
    files_before = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    cases = [
        ({"subject": "V/v báo cáo\x00 năm 2026"}, "subject", "ký tự điều khiển"),
        ({"organ_name": "Sở Tài chính\x1b[31m"}, "organ_name", "ký tự điều khiển"),
        ({"code_notation": "UBND\u202eFDP.exe"}, "code_notation", "đảo chiều"),
        ({"signer_full_name": "Nguyễn\u2066 Văn A"}, "signer_full_name", "đảo chiều"),
    ]
    for metadata, field, text in cases:
        response = await _post_incoming(web, clerk, **metadata)
        assert response.status_code == 422, response.text
        body = response.json()
        assert field in body["errors"] and text in body["errors"][field], body
    assert rows(web.engine, Document) == []
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == files_before

    # A line break is text, not a control character, in a multi-line field.
    accepted = await _post_incoming(web, clerk, description="Dòng một\nDòng hai")
    assert accepted.status_code == 201, accepted.text


async def test_a_password_protected_pdf_is_refused_at_intake_and_nothing_is_stored(web):
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(minimal_pdf(1))) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner="chu", user="", R=4))
    clerk = await api_token(web, "vanthu")
    response = await _post_incoming(web, clerk, pdf=out.getvalue())
    assert response.status_code == 422 and "mật khẩu" in response.json()["detail"], response.text
    assert rows(web.engine, Document) == []
