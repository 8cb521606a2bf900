"""The FastAPI application: factory, lifespan and security headers.

``uvicorn app:create_app --factory`` runs it; tests pass their own engine and Temporal client.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.engine import Engine
from temporalio.client import Client

from config.settings import Settings, get_settings
from config.temporal import connect
from models.db import WEB_THREADS, PoolSize, make_engine
from models.documents.file_store import FileStore
from web import admin, api, auth, documents, errors, filters, flash, inbox, mailbox, registers
from web import assignments as assignment_routes
from web import audit as audit_routes
from web import configuration as configuration_routes
from web import configuration_calendar as calendar_routes
from web import configuration_hub as hub_config_routes
from web import configuration_processes as process_binding_routes
from web import help as help_routes
from web import home as home_routes
from web import metrics as metrics_routes
from web import organisation as organisation_routes
from web import outgoing as outgoing_routes
from web import outgoing_api as outgoing_api_routes
from web import people as people_routes
from web import pki as pki_routes
from web import publications as publication_routes
from web import push as push_routes
from web import pwa as pwa_routes
from web import recall as recall_routes
from web import recipients as recipient_routes
from web import record_export as record_export_routes
from web import record_filing as record_filing_routes
from web import record_plans as record_plan_routes
from web import record_plans_api as record_plan_api_routes
from web import records as record_routes
from web import records_api as record_api_routes
from web import reorganisation as reorganisation_routes
from web import schedule as schedule_routes
from web import schedule_api as schedule_api_routes
from web import search as search_routes
from web import statistics as statistics_routes
from web import statistics_api as statistics_api_routes
from web import supervision as supervision_routes
from web import supervision_api as supervision_api_routes
from web.admission import RequestGate, admitted_at_once
from web.body_limits import JsonBodyLimits
from web.compression import CompressStatic
from web.deps import AppState

log = logging.getLogger("qlvb.web")
WEB_DIR = Path(__file__).resolve().parent / "web"
# PDF.js ships as ES modules (.mjs), which browsers load only with a JavaScript type; not every
# system's MIME table knows the extension.
mimetypes.add_type("text/javascript", ".mjs")

# worker-src: the document page's PDF.js worker, a module script of our own origin (never blob:).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)


def _templates(strict: bool) -> Jinja2Templates:
    environment = Environment(
        loader=FileSystemLoader(WEB_DIR / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined if strict else Environment().undefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters.register(environment)
    flash.register(environment)
    return Jinja2Templates(env=environment)


async def _connect_with_retry(settings: Settings, attempts: int = 30) -> Client:
    """The web app may start a moment before Temporal answers: wait for it, then fail loudly."""
    for attempt in range(attempts):
        try:
            return await connect(settings)
        except RuntimeError:
            if attempt == attempts - 1:
                raise
            log.info("waiting for Temporal at %s", settings.temporal_address)
            await asyncio.sleep(1)
    raise AssertionError("unreachable")


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               client: Client | None = None, strict_templates: bool = False) -> FastAPI:
    """Build the application; missing dependencies are created from the settings at startup."""
    settings = settings or get_settings()
    # Each process's pool: every thread of its sync routes can hold the two connections a request
    # may need (README «Production»); the gate below admits as many requests as it serves.
    pool = PoolSize.for_threads(WEB_THREADS, settings.db_pool_size, settings.db_max_overflow,
                                settings.db_pool_timeout)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        own_engine = engine is None
        app_engine = engine or make_engine(settings.effective_database_url, pool=pool)
        app_client = client or await _connect_with_retry(settings)
        settings.files_dir.mkdir(parents=True, exist_ok=True)
        app.state.qlvb = AppState(settings, app_engine, app_client, FileStore(settings.files_dir))
        yield
        if own_engine:
            app_engine.dispose()

    app = FastAPI(title="QLVB API", version="1", lifespan=lifespan,
                  description="Hệ thống quản lý văn bản và điều hành: API v1 cho tích hợp.",
                  # Swagger UI would load from a CDN, which closed networks and our CSP block;
                  # integrators read /openapi.json instead.
                  docs_url=None, redoc_url=None)
    app.state.templates = _templates(strict_templates)
    # Added before the header middleware, so it runs inside it: its refusals get the headers too.
    app.add_middleware(JsonBodyLimits)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        try:
            response = await call_next(request)
        except Exception as error:  # nobody foresaw it: an error id and a Vietnamese answer, never a trace
            response = errors.unexpected_error_response(request, error)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(("/static/", "/openapi.json")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(CompressStatic)  # static files only: pages carry the CSRF token (web/compression.py)
    # Inside the latency histogram, so a request's wait for its turn counts in its latency.
    app.add_middleware(RequestGate, limit=admitted_at_once(pool))
    # Outermost, added last: a request's latency includes every other middleware.
    app.add_middleware(metrics_routes.RequestLatency)

    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.include_router(metrics_routes.router)
    app.include_router(flash.router)
    app.include_router(home_routes.router)
    app.include_router(pwa_routes.router)  # the app's manifest, service worker and offline page
    app.include_router(push_routes.router)
    app.include_router(help_routes.router)
    for module in (auth, inbox, documents, registers, admin, api):
        app.include_router(module.router)
    app.include_router(pki_routes.router)
    app.include_router(outgoing_routes.router)
    app.include_router(outgoing_api_routes.api_router)
    app.include_router(recall_routes.router)
    app.include_router(recall_routes.api_router)
    app.include_router(record_export_routes.router)
    app.include_router(record_export_routes.api_router)
    app.include_router(recipient_routes.router)
    app.include_router(recipient_routes.api_router)
    app.include_router(search_routes.router)
    app.include_router(search_routes.api_router)
    app.include_router(mailbox.router)
    app.include_router(audit_routes.router)
    app.include_router(audit_routes.api_router)
    app.include_router(reorganisation_routes.router)  # before /admin/organisation/{…} paths
    app.include_router(reorganisation_routes.api_router)
    app.include_router(organisation_routes.router)
    app.include_router(organisation_routes.api_router)
    app.include_router(people_routes.router)
    app.include_router(people_routes.api_router)
    app.include_router(configuration_routes.router)
    app.include_router(configuration_routes.api_router)
    for module in (process_binding_routes, hub_config_routes, calendar_routes):
        app.include_router(module.router)
        app.include_router(module.api_router)
    app.include_router(assignment_routes.router)
    app.include_router(assignment_routes.api_router)
    app.include_router(record_plan_routes.router)
    app.include_router(record_plan_api_routes.api_router)
    app.include_router(record_routes.router)
    app.include_router(record_filing_routes.router)
    app.include_router(record_api_routes.api_router)
    app.include_router(schedule_routes.router)
    app.include_router(schedule_api_routes.api_router)
    app.include_router(statistics_routes.router)
    app.include_router(statistics_api_routes.api_router)
    # The province supervisor's pages and the published reports (QĐ44 Điều 16.2), beside /statistics.
    app.include_router(supervision_routes.router)
    app.include_router(publication_routes.router)
    app.include_router(supervision_api_routes.api_router)
    errors.install(app)
    return app
