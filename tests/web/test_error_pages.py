"""Refusals and unknown addresses of browser pages answer inside the layout, with their status;
API v1 keeps its JSON errors."""

from __future__ import annotations

from tests.web.conftest import browser_login

MISSING_DOCUMENT = "/documents/00000000-0000-4000-8000-000000000000"


async def test_an_unknown_address_is_a_404_page_inside_the_layout(web):
    response = await web.get("/trang-khong-co")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<header class="site-header">' in page
    assert "<h1>Không tìm thấy trang</h1>" in page
    assert "Không tìm thấy trang yêu cầu." in page
    assert 'href="/login"' in page  # nobody is signed in: the way back is the login


async def test_a_document_one_may_not_see_answers_404_with_the_menu_and_the_ways_back(web):
    await browser_login(web, "chuyenvien")
    response = await web.get(MISSING_DOCUMENT)
    assert response.status_code == 404
    page = response.text
    assert "<h1>Không tìm thấy trang</h1>" in page
    assert "Không tìm thấy văn bản hoặc bạn không có quyền xem văn bản này." in page
    assert 'id="quick-search"' in page and 'class="site-menu"' in page
    assert 'href="/home" class="button"' in page


async def test_api_errors_stay_json(web):
    response = await web.get("/api/v1/khong-co")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
