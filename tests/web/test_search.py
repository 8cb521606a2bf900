"""Tra cứu: the page and its htmx fragment, saved searches, the CSV export and API v1 search.

Search never talks to Temporal, so these tests run the app with a stand-in client and no worker.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime

import httpx
import pytest

from app import create_app
from models.db import transaction
from models.documents.search import SavedSearch
from models.documents.search_repo import index_document
from models.documents.tables import Document
from models.vocab import Direction, DocumentStatus, Urgency
from tests.helpers import make_settings, rows, user_and_roles
from tests.web.conftest import api_token, browser_login


@pytest.fixture
async def site(seeded_sqlite, tmp_path):
    """The app on the seeded demo database, with two indexed documents of the Văn phòng."""
    clerk, _ = user_and_roles(seeded_sqlite, "vanthu")
    documents = {}
    with transaction(seeded_sqlite) as session:
        for key, subject, number, notation, type_name, urgency, arrival in [
            ("qd", "Quyết định phê duyệt kế hoạch đào tạo cán bộ năm 2027", "125", "QĐ-UBND", "Quyết định",
             Urgency.FLASH, datetime(2026, 11, 23, 2, 0, tzinfo=UTC)),
            ("nq", "=Nghị quyết về công tác xây dựng Đảng", "45", "NQ/TU", "Nghị quyết", Urgency.NORMAL,
             datetime(2026, 11, 2, 2, 0, tzinfo=UTC)),
        ]:
            document = Document(id=str(uuid.uuid4()), direction=Direction.INCOMING, agency_id=clerk.agency_id,
                                code_number=number, code_notation=notation, type_name=type_name, subject=subject,
                                organ_name="Ủy ban nhân dân tỉnh Hà Nam", urgency=urgency, arrival_number=7,
                                arrival_date=arrival, issued_date=date(2026, 11, 1),
                                status=DocumentStatus.REGISTERED, created_by=clerk.id)
            session.add(document)
            session.flush()
            index_document(session, document)
            documents[key] = document.id
    app = create_app(make_settings(tmp_path, "search-tests"), engine=seeded_sqlite, client=object(),
                     strict_templates=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            client.engine = seeded_sqlite
            client.documents = documents
            yield client


async def test_it_serves_the_page_and_fragments_as_you_type(site):
    await browser_login(site, "vanthu")
    page = await site.get("/search")
    assert page.status_code == 200 and page.headers["vary"] == "HX-Request"
    assert "<html" in page.text and re.search(r'<a href="/search"[^>]*>Tra cứu</a>', page.text)
    assert 'hx-trigger="keyup changed delay:300ms"' in page.text
    assert "Tìm thấy <strong>2</strong> văn bản" in page.text
    assert "Chưa có điều kiện tra cứu nào được lưu." in page.text

    fragment = await site.get("/search", params={"q": "quyet dinh", "type_name": "", "urgency": ""},
                              headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert f'data-document-id="{site.documents["qd"]}"' in fragment.text
    assert site.documents["nq"] not in fragment.text
    assert "HỎA TỐC" in fragment.text and "125/QĐ-UBND" in fragment.text
    assert fragment.headers["hx-push-url"] == "/search?q=quyet+dinh"

    by_code = await site.get("/search", params={"q": "125/QĐ-UBND"}, headers={"HX-Request": "true"})
    assert f'data-document-id="{site.documents["qd"]}"' in by_code.text
    filtered = await site.get("/search", params={"q": "dang", "type_name": "Nghị quyết", "urgency": "thuong"})
    assert "<html" in filtered.text and f'data-document-id="{site.documents["nq"]}"' in filtered.text
    assert '<option value="Nghị quyết" selected>' in filtered.text and "<details open>" in filtered.text
    nothing = await site.get("/search", params={"q": "khong co van ban nay"}, headers={"HX-Request": "true"})
    assert "Không tìm thấy văn bản nào phù hợp." in nothing.text


async def test_unreadable_filters_are_explained_and_ignored(site):
    await browser_login(site, "vanthu")
    response = await site.get("/search", params={"q": "dang", "arrival_from": "20/11/2026", "urgency": "mat"})
    assert response.status_code == 200
    assert "Điều kiện tra cứu chưa hợp lệ" in response.text
    assert "Ngày đến (từ ngày): ngày không hợp lệ" in response.text
    assert "Mức độ khẩn: giá trị không hợp lệ" in response.text
    assert f'data-document-id="{site.documents["nq"]}"' in response.text


async def test_others_see_nothing(site):
    for username in ("vanthu.snv", "chuyenvien"):
        await browser_login(site, username)
        page = await site.get("/search", params={"q": "quyet dinh"})
        assert "Không tìm thấy văn bản nào phù hợp." in page.text
        assert site.documents["qd"] not in page.text


async def test_it_saves_lists_and_deletes_searches(site):
    csrf = await browser_login(site, "vanthu")
    form = {"name": "Quyết định hỏa tốc", "q": "quyết định", "urgency": "hoa_toc"}
    refused = await site.post("/search/saved", data=form, headers={"HX-Request": "true"})
    assert refused.status_code == 403 and rows(site.engine, SavedSearch) == []

    saved = await site.post("/search/saved", data=form, headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert saved.status_code == 200 and "<html" not in saved.text
    assert '<a href="/search?q=quy%E1%BA%BFt+%C4%91%E1%BB%8Bnh&amp;urgency=hoa_toc">Quyết định hỏa tốc</a>' in saved.text
    [row] = rows(site.engine, SavedSearch)
    assert row.query == {"q": "quyết định", "urgency": "hoa_toc"}

    unnamed = await site.post("/search/saved", data={"name": " ", "csrf_token": csrf}, headers={"HX-Request": "true"})
    assert unnamed.status_code == 422 and unnamed.headers["hx-retarget"] == "#toast"
    assert "Vui lòng đặt tên" in unnamed.text

    page = await site.get("/search")
    assert "Quyết định hỏa tốc" in page.text

    other_csrf = await browser_login(site, "lanhdao")
    foreign = await site.post(f"/search/saved/{row.id}/delete", headers={"X-CSRF-Token": other_csrf})
    assert foreign.status_code == 404 and len(rows(site.engine, SavedSearch)) == 1

    csrf = await browser_login(site, "vanthu")
    deleted = await site.post(f"/search/saved/{row.id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/search"
    assert rows(site.engine, SavedSearch) == []


async def test_it_exports_the_results_as_excel_readable_csv(site):
    await browser_login(site, "vanthu")
    response = await site.get("/search/export.csv", params={"q": "", "type_name": "", "page": "3"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="tra-cuu-van-ban-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["Số đến", "Ngày đến", "Số, ký hiệu"]
    assert table[1] == ["07", "23/11/2026", "125/QĐ-UBND", "01/11/2026", "Quyết định",
                        "Quyết định phê duyệt kế hoạch đào tạo cán bộ năm 2027", "Ủy ban nhân dân tỉnh Hà Nam",
                        "", "Hỏa tốc", "Đã vào sổ, chờ lãnh đạo cho ý kiến", ""]
    assert table[2][5] == "'=Nghị quyết về công tác xây dựng Đảng"  # never a formula
    assert len(table) == 3

    only = await site.get("/search/export.csv", params={"q": "dang"})
    assert len(list(csv.reader(io.StringIO(only.content.decode("utf-8-sig"))))) == 2
    await browser_login(site, "vanthu.snv")
    outsider = await site.get("/search/export.csv")
    assert len(list(csv.reader(io.StringIO(outsider.content.decode("utf-8-sig"))))) == 1


async def test_api_search_uses_the_same_service(site):
    clerk = await api_token(site, "vanthu")
    body = (await site.get("/api/v1/search", params={"q": "QĐ-UBND"}, headers=clerk)).json()
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (1, 1, 50, 1)
    [hit] = body["results"]
    assert hit["id"] == site.documents["qd"] and hit["so_ky_hieu"] == "125/QĐ-UBND"
    assert hit["arrival_date"] == "2026-11-23T09:00:00+07:00" and hit["priority"] == "hoa_toc"

    dated = await site.get("/api/v1/search", params={"from": "2026-11-01", "to": "2026-11-02"}, headers=clerk)
    assert [r["id"] for r in dated.json()["results"]] == [site.documents["nq"]]
    both = await site.get("/api/v1/search", params={"q": "uy ban ha nam"}, headers=clerk)
    assert both.json()["total"] == 2

    outsider = await api_token(site, "vanthu.snv")
    assert (await site.get("/api/v1/search", params={"q": "quyet dinh"}, headers=outsider)).json()["total"] == 0
    invalid = await site.get("/api/v1/search", params={"from": "20/11/2026"}, headers=clerk)
    assert invalid.status_code == 422 and "from" in invalid.json()["errors"]
    assert (await site.get("/api/v1/search")).status_code == 401
    assert "/api/v1/search" in (await site.get("/openapi.json")).json()["paths"]


async def test_a_search_with_more_matches_than_it_ranks_says_so(site, monkeypatch):
    """Above the bound the newest matches are ranked and the total reads "hơn …", page and API alike."""
    import models.documents.search_repo

    clerk, _ = user_and_roles(site.engine, "vanthu")
    with transaction(site.engine) as session:
        for number in range(60):  # more matches than one page (50), the smallest possible bound
            document = Document(id=str(uuid.uuid4()), direction=Direction.INCOMING, agency_id=clerk.agency_id,
                                code_number=str(200 + number), subject=f"Báo cáo ngân sách số {number}",
                                status=DocumentStatus.REGISTERED, created_by=clerk.id)
            session.add(document)
            session.flush()
            index_document(session, document)
    monkeypatch.setattr(models.documents.search_repo, "MAX_RESULTS", 1)
    await browser_login(site, "vanthu")
    page = await site.get("/search", params={"q": "ngan sach"}, headers={"HX-Request": "true"})
    assert "Tìm thấy <strong>hơn 50</strong> văn bản" in page.text and "thu hẹp" in page.text
    token = await api_token(site, "vanthu")
    answer = (await site.get("/api/v1/search", params={"q": "ngan sach"}, headers=token)).json()
    assert (answer["total"], answer["total_is_lower_bound"]) == (50, True)
