"""The installable app (Progressive Web App): its manifest, the service worker, the offline page.

All three answer without login: the browser fetches the manifest without cookies, the service
worker must be reachable to be updated, and the offline page is stored by it for when the
network is gone. None of them carries anything of a person or a document. The service worker is
served from the root (``/sw.js``), since a worker controls only the paths under its own; it
stores only the static files and the offline page, never a page or an answer that needs a login
(documents are confidential: a shared or lost phone must not keep them).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from web.htmx import render

router = APIRouter()

WEB_STATIC = Path(__file__).resolve().parent / "static"
SERVICE_WORKER = WEB_STATIC / "sw.js"
THEME_COLOUR = "#0b3d91"  # the layout's <meta name="theme-color">: the app's title bar matches the pages
MANIFEST = {
    "id": "/home",
    "name": "QLVB · Hệ thống quản lý văn bản và điều hành",
    "short_name": "QLVB",
    "description": "Văn bản đến, văn bản đi, hồ sơ và điều hành công việc của cơ quan.",
    "lang": "vi",
    "dir": "ltr",
    "start_url": "/home",
    "scope": "/",
    "display": "standalone",
    "theme_color": THEME_COLOUR,
    "background_color": "#ffffff",
    "icons": [
        {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": "/static/icons/icon-maskable-192.png", "sizes": "192x192", "type": "image/png",
         "purpose": "maskable"},
        {"src": "/static/icons/icon-maskable-512.png", "sizes": "512x512", "type": "image/png",
         "purpose": "maskable"},
        {"src": "/static/icons/favicon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
    ],
}


@router.get("/manifest.webmanifest", include_in_schema=False)
def manifest() -> Response:
    return JSONResponse(MANIFEST, media_type="application/manifest+json",
                        headers={"Cache-Control": "no-cache"})


@router.get("/sw.js", include_in_schema=False)
def service_worker() -> Response:
    # no-cache: the browser checks for a new worker at every navigation instead of keeping an old one.
    return FileResponse(SERVICE_WORKER, media_type="text/javascript",
                        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"})


@router.get("/offline", include_in_schema=False)
def offline(request: Request) -> Response:
    """What the service worker shows when a page cannot be reached: a page of its own, not the
    layout, so nothing of the person who was signed in (their name, a result message) is stored."""
    return render(request, "pwa/offline.html", headers={"Cache-Control": "no-cache"})
