"""The văn bản đến and văn bản đi pages: 50 rows a page past the old caps, links to the pages
around, filters kept in the URL, htmx fragments, refusals in Vietnamese, and the help page."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlmodel import select

from models.db import transaction, utcnow
from models.documents.tables import Document
from models.org.tables import Agency, User
from models.vocab import Direction, DocumentStatus
from tests.web.conftest import browser_login


def _documents(engine, count: int, direction: Direction = Direction.INCOMING, agency_code: str | None = None) -> list[str]:
    ids = []
    with transaction(engine) as session:
        clerk = session.exec(select(User).where(User.username == "vanthu")).one()
        agency_id = (session.exec(select(Agency.id).where(Agency.code == agency_code)).one()
                     if agency_code else clerk.agency_id)
        for n in range(count):
            document_id = str(uuid.uuid4())
            session.add(Document(
                id=document_id, direction=direction, agency_id=agency_id,
                status=DocumentStatus.REGISTERED if direction == Direction.INCOMING else DocumentStatus.DRAFT,
                subject=f"Trích yếu {direction} {n}", code_number=str(n + 1), code_notation="UBND-VP",
                type_name="Công văn", organ_name="Sở Xây dựng tỉnh Hà Nam" if n % 2 else "Sở Y tế tỉnh Hà Nam",
                to_places="Sở Nội vụ", workflow_id=f"x-{document_id}", created_by=clerk.id,
                created_at=utcnow() - timedelta(minutes=n)))
            ids.append(document_id)
    return ids


def _listed(html: str) -> list[str]:
    return re.findall(r'<tr class="[^"]*" data-document-id="([^"]+)"', html)


async def test_incoming_pages_go_past_fifty_keep_filters_and_hide_other_agencies(web):
    mine = _documents(web.engine, 120)
    foreign = _documents(web.engine, 3, agency_code="000.00.02.H23")
    await browser_login(web, "vanthu")
    first = await web.get("/documents")
    assert first.status_code == 200
    seen = _listed(first.text)
    assert seen == mine[:50]
    url = re.search(r'href="([^"]+)"[^>]*rel="next"', first.text).group(1).replace("&amp;", "&")
    while url:
        page = await web.get(url)
        seen += _listed(page.text)
        found = re.search(r'href="([^"]+)"[^>]*rel="next"', page.text)
        url = found.group(1).replace("&amp;", "&") if found else ""
    assert seen == mine and not set(seen) & set(foreign)
    # The filter stays in the pager's links; htmx gets the rows alone.
    filtered = await web.get("/documents?organ=X%C3%A2y+d%E1%BB%B1ng", headers={"HX-Request": "true"})
    assert "<html" not in filtered.text and "Lọc" not in filtered.text
    assert set(_listed(filtered.text)) == set(mine[1:100:2])
    assert "organ=X%C3%A2y+d%E1%BB%B1ng" in re.search(r'href="([^"]+)"[^>]*rel="next"', filtered.text).group(1)


async def test_an_unreadable_filter_is_refused_in_vietnamese_with_the_form_as_typed(web):
    _documents(web.engine, 3)
    await browser_login(web, "vanthu")
    response = await web.get("/documents?status=draft&date_from=2026-13-01&organ=S%E1%BB%9F")
    assert response.status_code == 422
    assert "Điều kiện lọc chưa hợp lệ" in response.text
    assert "Từ ngày: giá trị không hợp lệ" in response.text or "Từ ngày: ngày không hợp lệ" in response.text
    assert _listed(response.text) == [] and 'value="Sở"' in response.text
    reversed_range = await web.get("/documents?date_from=2026-03-01&date_to=2026-02-01")
    assert reversed_range.status_code == 422 and "Đến ngày: không được trước ngày bắt đầu" in reversed_range.text


async def test_outgoing_list_pages_and_filters(web):
    drafts = _documents(web.engine, 60, Direction.OUTGOING)
    await browser_login(web, "vanthu")
    page = await web.get("/outgoing?status=draft")
    assert _listed(page.text) == drafts[:50] and 'rel="next"' in page.text
    refused = await web.get("/outgoing?status=registered")
    assert refused.status_code == 422 and "Trạng thái: giá trị không hợp lệ" in refused.text


async def test_the_help_page_lists_the_shortcuts_and_the_persons_role(web):
    await browser_login(web, "vanthu")
    page = await web.get("/help")
    assert page.status_code == 200 and 'id="phim-tat"' in page.text and "<kbd>g</kbd> rồi <kbd>i</kbd>" in page.text
    assert re.search(r"<dt>Văn thư <strong>\(vai trò của bạn\)</strong></dt>", page.text)
    assert '<script src="/static/shortcuts.js" defer></script>' in page.text
