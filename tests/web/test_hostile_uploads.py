"""Hostile files through the web: a Vietnamese 4xx, never a 500, no file left, and the app keeps answering.

The app runs without Temporal (nothing hostile gets that far): FastAPI's TestClient for the
refusals, an in-loop httpx client to show other requests are served while a hostile file is
being checked.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app import create_app
from models.documents.sandbox import isolated
from models.documents.tables import Document
from models.documents.types_repo import type_by_name
from models.documents.upload_checks import inspect_and_read
from models.org.tables import Agency
from tests import hostile_files as hostile
from tests.conftest import DEMO_PASSWORD
from tests.helpers import make_settings, rows, sample_metadata, user_and_roles
from tests.web.conftest import api_token

HOSTILE = {
    "loop": (hostile.looping_page_tree(), "bị hỏng"),
    "bomb": (hostile.deflate_bomb(2 * 2**30, rounds=2), "cấu trúc bất thường"),
    "nesting": (hostile.deeply_nested_array(100_000), "bị hỏng"),
    "billion": (hostile.claiming_pages(1_000_000_000), "5000 trang"),
    "objstm-bomb": (hostile.object_stream_bomb(64 * 2**20), "cấu trúc bất thường"),
}


def _files(settings) -> int:
    root = settings.files_dir
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


@pytest.fixture
def site(seeded_sqlite, tmp_path):
    settings = make_settings(tmp_path, "hostile-uploads")
    app = create_app(settings, engine=seeded_sqlite, client=object(), strict_templates=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.settings, client.engine = settings, seeded_sqlite
        yield client


def _token(client: TestClient, username: str) -> dict:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _refused(response, text: str) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert text in response.json()["detail"], response.json()


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_incoming_pdf_is_a_vietnamese_4xx_and_leaves_no_file(site, kind):
    data, text = HOSTILE[kind]
    clerk = _token(site, "vanthu")
    metadata = {"metadata": json.dumps(sample_metadata())}
    _refused(site.post("/api/v1/incoming", headers=clerk, data=metadata,
                       files={"file": ("cv.pdf", data, "application/pdf")}), text)
    _refused(site.post("/api/v1/incoming/paper", headers=clerk, data=metadata,
                       files=[("scans", ("trang-1.pdf", hostile.small_pdf(1), "application/pdf")),
                              ("scans", ("trang-2.pdf", data, "application/pdf"))]),
             text)
    _refused(site.post("/api/v1/incoming/suggest", headers=clerk,
                       files={"file": ("cv.pdf", data, "application/pdf")}), text)
    assert _files(site.settings) == 0 and rows(site.engine, Document) == []


@pytest.mark.parametrize("kind", ["loop", "bomb", "nesting"])
def test_a_hostile_draft_or_attachment_is_a_vietnamese_4xx_and_leaves_no_file(site, kind):
    data, text = HOSTILE[kind]
    officer = _token(site, "chuyenvien")
    signer, _ = user_and_roles(site.engine, "lanhdao")
    from models.db import transaction

    with transaction(site.engine) as session:
        recipient = session.exec(select(Agency).where(Agency.code == "000.00.02.H23")).one()
        doc_type_id = type_by_name(session, "Công văn").id
    metadata = {"metadata": json.dumps({"doc_type_id": doc_type_id, "subject": "Về việc báo cáo chuyển đổi số",
                                        "signer_id": signer.id, "recipient_agency_ids": [recipient.id]})}
    _refused(site.post("/api/v1/outgoing", headers=officer, data=metadata,
                       files={"file": ("du-thao.pdf", data, "application/pdf")}), text)
    _refused(site.post("/api/v1/outgoing", headers=officer, data=metadata,
                       files=[("file", ("du-thao.pdf", hostile.small_pdf(1), "application/pdf")),
                              ("attachments", ("phu-luc.pdf", data, "application/pdf"))]), text)
    assert _files(site.settings) == 0 and rows(site.engine, Document) == []


@isolated(fallback="corrupt_pdf")
def _inspect_after_gate(data: bytes) -> tuple[int, str]:
    """The real check, in its child process, once the test opens the gate named after the file."""
    gate = Path(tempfile.gettempdir()) / f"qlvb-gate-{hashlib.sha1(data).hexdigest()}"
    for _ in range(600):
        if gate.exists():
            break
        time.sleep(0.1)
    return inspect_and_read.inline(data)


async def test_the_app_answers_other_requests_while_a_hostile_file_is_checked(seeded_sqlite, tmp_path, monkeypatch):
    """The check runs off the event loop: it cannot finish until another request has been answered."""
    import commands.intake

    bomb = hostile.deflate_bomb()
    gate = Path(tempfile.gettempdir()) / f"qlvb-gate-{hashlib.sha1(bomb).hexdigest()}"
    gate.unlink(missing_ok=True)
    monkeypatch.setattr(commands.intake, "inspect_and_read", _inspect_after_gate)
    settings = make_settings(tmp_path, "hostile-loop")
    app = create_app(settings, engine=seeded_sqlite, client=object(), strict_templates=True)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                clerk = await api_token(client, "vanthu")
                upload = asyncio.create_task(client.post(
                    "/api/v1/incoming", headers=clerk, data={"metadata": json.dumps(sample_metadata())},
                    files={"file": ("cv.pdf", bomb, "application/pdf")}))
                me = await client.get("/api/v1/me", headers=clerk)
                assert me.status_code == 200 and not upload.done()
                gate.touch()
                refused = await upload
    finally:
        gate.unlink(missing_ok=True)
    assert refused.status_code == 422 and "cấu trúc bất thường" in refused.json()["detail"]
    assert _files(settings) == 0
