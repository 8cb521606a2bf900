"""Published statistics in the browser (QĐ44 Điều 16.2).

``/statistics/published``: every report the Văn phòng UBND tỉnh published, for everyone logged in
to the installation, with the publishing form for the supervisor; ``/statistics/published/{id}``:
one report's frozen figures (read from the publication, never recounted) and its corrections;
``/public/statistics``: the published per-agency figures without login, only when the installation
enables it (``QLVB_PUBLIC_STATISTICS``), otherwise 404. The public page shows agencies' figures
only: no person's name, not even the publisher's.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from commands import publications as commands
from models.bounds import Id
from models.db import reading
from models.errors import DomainError, NotFound
from models.publications import repo
from models.publications.tables import StatisticsPublication
from web import flash
from web.deps import CsrfChecked, DbSession, Principal, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute
from web.messages import message_of
from web.supervision import KINDS, on_time_chart

router = APIRouter(route_class=IdempotentRoute)

FORM_FIELDS = ("kind", "value", "start", "end", "title", "note", "supersedes_id")


def _chart(publication: StatisticsPublication):
    return on_time_chart(publication.figures, f"Tỷ lệ hoàn thành đúng hạn theo cơ quan, {publication.period_label}")


def _list_page(request: Request, principal: Principal, session: Session, *, error: str | None = None,
               values: dict[str, str] | None = None) -> Response:
    publications = repo.listing(session, limit=200)
    return render(request, "publications/list.html", status_code=422 if error else 200, publications=publications,
                  replaced=repo.replaced_ids(session, [p.id for p in publications]),
                  publishers=repo.publisher_names(session, publications), may_publish=commands.supervises(principal.roles),
                  error=error, values=values or {}, kinds=KINDS)


@router.get("/statistics/published")
def published_list(request: Request, principal: WebUser, session: DbSession) -> Response:
    return _list_page(request, principal, session)


@router.post("/statistics/published")
async def publish(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    raw: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in FORM_FIELDS}
    raw = {name: value for name, value in raw.items() if value}
    try:
        publication = await asyncio.to_thread(commands.publish, state.engine, actor_id=principal.user.id,
                                              roles=principal.roles, raw=raw)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        message = message_of(error)

        def again():
            with reading(state.engine) as session:
                return _list_page(request, principal, session, error=message, values=raw)
        return await asyncio.to_thread(again)
    return flash.done(request, f"/statistics/published/{publication.id}", "Đã công bố số liệu thống kê.",
                      trigger=None)


@router.get("/statistics/published/{publication_id}")
def published_report(request: Request, publication_id: Id, principal: WebUser, session: DbSession) -> Response:
    publication = repo.get(session, publication_id)
    newer = repo.superseded_by(session, publication.id)
    replaced = repo.get(session, publication.supersedes_id) if publication.supersedes_id else None
    return render(request, "publications/detail.html", publication=publication, newer=newer, replaced=replaced,
                  publisher=repo.publisher_names(session, [publication]).get(publication.published_by, ""),
                  chart=_chart(publication), may_publish=commands.supervises(principal.roles), public=False)


@router.get("/public/statistics")
def public_statistics(request: Request, state: State, session: DbSession, id: Id | None = None) -> Response:
    """No login. 404 unless the installation publishes its figures to the public."""
    if not state.settings.public_statistics:
        raise NotFound("not_found")
    current = repo.listing(session, current_only=True, limit=100)
    publication = next((p for p in current if p.id == id), None) if id is not None else (current[0] if current else None)
    if id is not None and publication is None:
        raise NotFound("publication_not_found")
    return render(request, "publications/public.html", publications=current, publication=publication,
                  chart=_chart(publication) if publication else None, public=True)
