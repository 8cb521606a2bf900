"""Registers in the browser: the incoming register of the year, as ND30 Phụ lục IV lays it out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from models.bounds import Id, Year
from models.db import utcnow
from models.documents import repo as document_repo
from models.documents.access import register_for_user
from models.registers import repo as register_repo
from models.registers.numbering import register_year
from web import reports
from web.deps import DbSession, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute

router = APIRouter(route_class=IdempotentRoute)


@router.get("/registers")
def registers(request: Request, principal: WebUser, session: DbSession) -> Response:
    return render(request, "registers/index.html",
                  registers=register_repo.registers_of(session, principal.agency.id))


@router.get("/registers/{register_id}")
def register_page(request: Request, register_id: Id, principal: WebUser, session: DbSession,
                  year: Year | None = None) -> Response:
    register = register_for_user(session, principal.user, register_id)
    year = year or register_year(utcnow())
    entries = register_repo.entries_of(session, register.id, year)
    documents = document_repo.documents_by_id(session, [e.document_id for e in entries])
    return render(request, "registers/entries.html", register=register, year=year, entries=entries,
                  documents=documents)


# Printouts: plain ``def`` routes, so the slow rendering runs in the thread pool, and no
# DbSession, because ``web.reports`` reads in a short transaction of its own before rendering.


@router.get("/registers/{register_id}/print.pdf")
def register_print(register_id: Id, principal: WebUser, state: State, kind: str | None = None,
                   start: Annotated[str | None, Query(alias="from")] = None,
                   end: Annotated[str | None, Query(alias="to")] = None, volume: str | None = None) -> Response:
    return reports.register_pdf_response(state.engine, principal.user, register_id, kind, start, end, volume)


@router.get("/registers/{register_id}/export.xlsx")
def register_export(register_id: Id, principal: WebUser, state: State, kind: str | None = None,
                    start: Annotated[str | None, Query(alias="from")] = None,
                    end: Annotated[str | None, Query(alias="to")] = None) -> Response:
    return reports.register_xlsx_response(state.engine, principal.user, register_id, kind, start, end)


@router.get("/documents/{document_id}/slip.pdf")
def document_slip(document_id: str, principal: WebUser, state: State) -> Response:
    return reports.slip_pdf_response(state.engine, principal.user, principal.roles, document_id)
