"""Registers in the browser: the incoming register of the year, as ND30 Phụ lục IV lays it out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from models import document_repo, register_repo
from models.access import register_for_user
from models.db import utcnow
from models.numbering import register_year
from web.deps import DbSession, WebUser
from web.htmx import render

router = APIRouter()


@router.get("/registers")
def registers(request: Request, principal: WebUser, session: DbSession) -> Response:
    return render(request, "registers/index.html",
                  registers=register_repo.registers_of(session, principal.agency.id))


@router.get("/registers/{register_id}")
def register_page(request: Request, register_id: int, principal: WebUser, session: DbSession,
                  year: int | None = None) -> Response:
    register = register_for_user(session, principal.user, register_id)
    year = year or register_year(utcnow())
    entries = register_repo.entries_of(session, register.id, year)
    documents = document_repo.documents_by_id(session, [e.document_id for e in entries])
    return render(request, "registers/entries.html", register=register, year=year, entries=entries,
                  documents=documents)
