"""Static files travel gzipped; pages never do (they carry the CSRF token: BREACH)."""

from __future__ import annotations

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"


async def test_a_static_script_is_sent_gzipped_and_unchanged(web):
    response = await web.get("/static/vendor/htmx-2.0.11.min.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.num_bytes_downloaded < (STATIC / "vendor" / "htmx-2.0.11.min.js").stat().st_size / 2
    # httpx undoes the gzip: what arrives is the file itself.
    assert response.content == (STATIC / "vendor" / "htmx-2.0.11.min.js").read_bytes()


async def test_a_page_is_never_compressed(web):
    response = await web.get("/login", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert not response.content.startswith(gzip.compress(b"")[:2])
