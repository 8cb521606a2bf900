"""The search page shows the passage of a document's text with the words marked, and never its markup."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest

from app import create_app
from models.db import transaction
from models.documents.search_repo import index_document, index_text
from models.documents.tables import Document
from models.vocab import Direction, DocumentStatus
from tests.helpers import make_settings, user_and_roles
from tests.web.conftest import api_token, browser_login

HOSTILE = ("Kính gửi các cơ quan. <script>fetch('/api/v1/me')</script> <img src=x onerror=alert(1)> "
           "Đề nghị rà soát biên chế &amp; báo cáo trước ngày 15/12. \x02sentinel\x03")


@pytest.fixture
async def site(seeded_sqlite, tmp_path):
    """The app on the demo database with one Văn phòng document whose text layer is hostile."""
    clerk, _ = user_and_roles(seeded_sqlite, "vanthu")
    with transaction(seeded_sqlite) as session:
        document = Document(id=str(uuid.uuid4()), direction=Direction.INCOMING, agency_id=clerk.agency_id,
                            code_number="88", code_notation="SNV-TCCB", type_name="Công văn",
                            subject="Về việc tổng hợp số liệu", organ_name="Sở Nội vụ tỉnh Hà Nam",
                            arrival_number=9, arrival_date=datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
                            issued_date=date(2026, 11, 30), status=DocumentStatus.REGISTERED, created_by=clerk.id)
        session.add(document)
        session.flush()
        index_document(session, document)
        index_text(session, document.id, HOSTILE)
    app = create_app(make_settings(tmp_path, "fulltext-tests"), engine=seeded_sqlite, client=object(),
                     strict_templates=True)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            client.document_id = document.id
            yield client


async def test_the_passage_is_marked_and_escaped(site):
    await browser_login(site, "vanthu")
    page = await site.get("/search", params={"q": "bien che script"}, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert f'data-document-id="{site.document_id}"' in page.text
    assert "<script>" not in page.text and "<img" not in page.text
    assert "&lt;<mark>script</mark>&gt;fetch(" in page.text
    assert "rà soát <mark>biên</mark> <mark>chế</mark> &amp;amp; báo cáo" in page.text
    # Control characters (what a sentinel scheme would mark with) are blanks in the index.
    assert "15/12. sentinel" in page.text and "\x02" not in page.text and "\x03" not in page.text

    # Found by a word of the metadata only: the row, without a passage.
    by_subject = await site.get("/search", params={"q": "tong hop"}, headers={"HX-Request": "true"})
    assert f'data-document-id="{site.document_id}"' in by_subject.text and "<mark>" not in by_subject.text
    # The document list shares the table and has no passages.
    assert (await site.get("/documents")).status_code == 200


async def test_api_v1_gives_the_passage_as_text_with_the_matches_located(site):
    headers = await api_token(site, "vanthu")
    body = (await site.get("/api/v1/search", params={"q": "bien che"}, headers=headers)).json()
    [hit] = body["results"]
    snippet = hit["snippet"]
    assert [snippet["text"][start:end] for start, end in snippet["matches"]] == ["biên", "chế"]
    assert "<img src=x onerror=alert(1)>" in snippet["text"]  # JSON carries the text as it is
    by_subject = (await site.get("/api/v1/search", params={"q": "tong hop"}, headers=headers)).json()
    assert by_subject["results"][0]["snippet"] is None


async def test_another_agency_gets_neither_the_document_nor_its_passage(site):
    await browser_login(site, "vanthu.snv")
    page = await site.get("/search", params={"q": "bien che"}, headers={"HX-Request": "true"})
    assert site.document_id not in page.text and "<mark>" not in page.text
    assert "Không tìm thấy văn bản nào phù hợp." in page.text
    headers = await api_token(site, "vanthu.snv")
    found = await site.get("/api/v1/search", params={"q": "bien che"}, headers=headers)
    assert found.json()["total"] == 0
