"""A draft has its ký hiệu but no số yet: its pages say so instead of showing "/VP-TH" (issue 14)."""

from __future__ import annotations

import re

from tests.outgoing_helpers import draft_document
from tests.web.conftest import browser_login


async def test_a_draft_s_page_and_list_show_no_bare_notation(web):
    state = web.app.state.qlvb
    document = draft_document(web.engine, state.settings)
    assert not document.code_number and document.code_notation  # a draft: ký hiệu, no số
    await browser_login(web, "chuyenvien")
    page = (await web.get(f"/outgoing/{document.id}")).text
    shown = f"…/{document.code_notation} (chưa cấp số)"
    assert f"Văn bản đi {shown}" in page
    listing = (await web.get("/outgoing")).text
    assert shown in listing
    for text in (page, listing):
        assert not re.search(rf"(?<![…\w])/{re.escape(document.code_notation)}\b", text.replace(shown, ""))
