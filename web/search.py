"""Tra cứu văn bản: the search page (htmx), saved searches, the CSV export and API v1 search.

Every path calls ``models.documents.search_repo.search_documents``, which filters through
``models.documents.access.visible_documents``. The two saved-search writes are commands of
``commands/inbox.py``.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from commands import inbox as inbox_commands
from models.bounds import Id
from models.db import reading, utcnow
from models.documents import search_repo
from models.documents.search import MAX_QUERY_LENGTH, InvalidSearch, SearchQuery
from models.documents.tables import Document
from models.org import repo as account_repo
from models.registers.numbering import VIETNAM
from models.vocab import DocumentStatus, Urgency
from web import flash
from web.api import document_summary_json
from web.deps import ApiUser, CsrfChecked, DbSession, Principal, State, WebUser
from web.filters import arrival_number, number_shown, vn_date
from web.htmx import render, wants_fragment
from web.idempotency import IdempotentRoute
from web.labels import SEARCH_CSV_COLUMNS, SEARCH_FIELD_LABELS, STATUS_LABELS, URGENCY_LABELS
from web.messages import MESSAGES, field_error_text
from web.reports.cells import csv_text

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])

EXPORT_LIMIT = 10_000
INCOMING_STATUSES = [DocumentStatus.NEW, DocumentStatus.REGISTERED, DocumentStatus.DIRECTED,
                     DocumentStatus.IN_PROGRESS, DocumentStatus.DONE, DocumentStatus.FILED_FOR_REFERENCE,
                     DocumentStatus.RETURNED, DocumentStatus.RECALLED]


def _search_url(query: SearchQuery, path: str = "/search") -> str:
    params = query.to_params(with_page=True)
    return f"{path}?{urlencode(params)}" if params else path


def _read_query(request: Request) -> tuple[SearchQuery, dict[str, str]]:
    """The search in the URL, and a message per unreadable field (those fields are ignored)."""
    try:
        return SearchQuery.from_params(request.query_params), {}
    except InvalidSearch as error:
        bad = error.params["fields"]
        query = SearchQuery.from_params({k: v for k, v in request.query_params.items() if k not in bad})
        messages = {name: f"{SEARCH_FIELD_LABELS.get(name, name)}: "
                          f"{field_error_text(kind)}" for name, kind in bad.items()}
        return query, messages


def _saved_context(session: Session, principal: Principal) -> dict[str, Any]:
    saved = search_repo.saved_searches(session, principal.user)
    return {"saved": [{"id": s.id, "name": s.name, "url": _search_url(SearchQuery.from_params(s.query))}
                      for s in saved]}


def _results_context(session: Session, principal: Principal, query: SearchQuery,
                     errors: dict[str, str]) -> dict[str, Any]:
    result = search_repo.search_documents(session, principal.user, principal.roles, query, with_snippets=True)
    return {
        "query": query, "params": query.to_params(), "result": result, "errors": errors,
        "error_message": MESSAGES["invalid_search"] if errors else "",
        # A capped search dealt with the newest matches only: say so rather than a false total.
        "total_label": ("hơn " if result.capped else "") + f"{result.total:,}".replace(",", "."),
        "export_url": _search_url(query.with_page(1), "/search/export.csv"),
        "export_limit": f"{EXPORT_LIMIT:,}".replace(",", "."),
        "export_truncated": result.total > EXPORT_LIMIT,
        "prev_url": _search_url(query.with_page(query.page - 1)) if query.page > 1 else "",
        "next_url": _search_url(query.with_page(query.page + 1)) if query.page < result.pages else "",
    }


@router.get("/search")
def search_page(request: Request, principal: WebUser, session: DbSession) -> Response:
    query, errors = _read_query(request)
    context = _results_context(session, principal, query, errors)
    if wants_fragment(request):
        # The clean URL (no empty fields) goes into the address bar, so reloads and shared links work.
        return render(request, "search/_results.html", "search/_results.html",
                      headers={"HX-Push-Url": _search_url(query)}, **context)
    units = account_repo.units_of(session, principal.user.agency_id)
    names = search_repo.type_names(session, principal.user.agency_id)
    if query.type_name and query.type_name not in names:
        names.append(query.type_name)
    return render(request, "search/index.html", **context, **_saved_context(session, principal),
                  type_names=names, units=units, urgencies=list(Urgency), statuses=INCOMING_STATUSES,
                  max_query_length=MAX_QUERY_LENGTH, filters_open=bool(set(context["params"]) - {"q"}))


def _save_then_list(state: State, principal, name: str, query: SearchQuery) -> dict:
    inbox_commands.save_search(state.engine, principal.user, name, query)
    with reading(state.engine) as session:
        return _saved_context(session, principal)


@router.post("/search/saved")
async def save(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    query = SearchQuery.from_params({k: v for k, v in form.items() if isinstance(v, str)})
    context = await run_in_threadpool(_save_then_list, state, principal, str(form.get("name", "")), query)
    if wants_fragment(request):
        return render(request, "search/_saved.html", "search/_saved.html", **context)
    return flash.done(request, _search_url(query), "Đã lưu tìm kiếm.", trigger=None)


@router.post("/search/saved/{saved_id}/delete")
def delete(request: Request, saved_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    inbox_commands.delete_saved_search(state.engine, principal.user, saved_id)
    with reading(state.engine) as session:
        context = _saved_context(session, principal)
    if wants_fragment(request):
        return render(request, "search/_saved.html", "search/_saved.html", **context)
    return flash.done(request, "/search", "Đã xóa tìm kiếm đã lưu.", trigger=None)


# --- CSV export -----------------------------------------------------------------------------


def _csv_row(document: Document) -> list[str]:
    return [csv_text(v) for v in (
        arrival_number(document.arrival_number), vn_date(document.arrival_date),
        number_shown(document.code_number, document.code_notation), vn_date(document.issued_date),
        document.type_name, document.subject, document.organ_name, document.signer_full_name,
        URGENCY_LABELS.get(document.urgency, document.urgency), STATUS_LABELS.get(document.status, document.status),
        vn_date(document.due_date),
    )]


@router.get("/search/export.csv")
def export_csv(request: Request, principal: WebUser, session: DbSession) -> Response:
    """The whole result (up to ``EXPORT_LIMIT`` rows) as UTF-8 CSV with a BOM, so Excel reads Vietnamese."""
    query, _ = _read_query(request)
    result = search_repo.search_documents(session, principal.user, principal.roles, query.with_page(1),
                                          per_page=EXPORT_LIMIT)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SEARCH_CSV_COLUMNS)
    writer.writerows(_csv_row(document) for document in result.documents)
    filename = f"tra-cuu-van-ban-{utcnow().astimezone(VIETNAM):%Y%m%d-%H%M}.csv"
    return Response(("\ufeff" + buffer.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- API v1 ---------------------------------------------------------------------------------


def search_result_json(document: Document, passage: list[tuple[str, bool]] | None = None) -> dict[str, Any]:
    """A document in a result list: the same summary the rest of API v1 uses, and the passage
    of its text around the words searched (``text`` and the ``[start, end)`` of each match), or null."""
    if not passage:
        return {**document_summary_json(document), "snippet": None}
    matches, position = [], 0
    for part, is_match in passage:
        if is_match:
            matches.append([position, position + len(part)])
        position += len(part)
    return {**document_summary_json(document),
            "snippet": {"text": "".join(part for part, _ in passage), "matches": matches}}


@api_router.get("/search", summary="Tra cứu văn bản (không phân biệt dấu; theo số, ký hiệu; có bộ lọc)")
def api_search(
    principal: ApiUser, session: DbSession,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH, description="Từ khóa hoặc số, ký hiệu")] = "",
    type_name: Annotated[str, Query(max_length=100)] = "",
    urgency: Urgency | None = None,
    status: DocumentStatus | None = None,
    unit_id: Annotated[Id | None, Query(description="Đơn vị được giao xử lý")] = None,
    from_: Annotated[date | None, Query(alias="from", description="Ngày đến, từ ngày")] = None,
    to: Annotated[date | None, Query(description="Ngày đến, đến ngày")] = None,
    issued_from: Annotated[date | None, Query(description="Ngày văn bản, từ ngày")] = None,
    issued_to: Annotated[date | None, Query(description="Ngày văn bản, đến ngày")] = None,
    page: Annotated[int, Query(ge=1, le=2**31 - 1)] = 1,
) -> dict[str, Any]:
    query = SearchQuery(text=q, type_name=type_name, urgency=urgency, status=status, unit_id=unit_id,
                        arrival_from=from_, arrival_to=to, issued_from=issued_from, issued_to=issued_to,
                        page=page)
    result = search_repo.search_documents(session, principal.user, principal.roles, query, with_snippets=True)
    return {"total": result.total, "total_is_lower_bound": result.capped, "page": result.page,
            "per_page": result.per_page, "pages": result.pages,
            "results": [search_result_json(document, result.snippets.get(document.id))
                        for document in result.documents]}
