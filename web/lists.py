"""The văn bản đến and văn bản đi lists: the filters read from the URL, a page, the pager's links.

Shared by ``web.documents.document_list`` and ``web.outgoing.outgoing_list``; the reads are
``models.documents.listing``. A filter that cannot be read is refused in Vietnamese (422) with the
form as typed and no rows, so a bookmark that went bad says why instead of listing everything.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from models.documents import listing, types_repo
from models.documents.access import visible_documents
from models.errors import DomainError
from models.vocab import Direction, Urgency
from web.deps import Principal
from web.htmx import render
from web.labels import LIST_FILTER_LABELS
from web.messages import MESSAGES, field_error_text

PAGES = {Direction.INCOMING: ("/documents", "documents/list.html", "documents/_list.html"),
         Direction.OUTGOING: ("/outgoing", "outgoing/list.html", "outgoing/_list.html")}


def _url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def render_list(request: Request, principal: Principal, session: Session, direction: Direction,
                **extra: Any) -> Response:
    """The list page (or, for htmx, its rows and pager) for the filters in the query string."""
    path, page_template, fragment = PAGES[direction]
    raw = {name: request.query_params.get(name, "") for name in listing.ListFilters.model_fields}
    errors: dict[str, str] = {}
    page = None
    filters = None
    try:
        filters = listing.ListFilters.from_query(request.query_params, direction)
        page = listing.list_page(session, principal.user, direction, filters,
                                 visible_documents(principal.user, principal.roles))
    except DomainError as error:
        if error.code != "invalid_fields":
            raise
        errors = {name: f"{LIST_FILTER_LABELS.get(name, name)}: {field_error_text(kind)}"
                  for name, kind in error.params.get("fields", {}).items()}
    context: dict[str, Any] = {
        "list_path": path, "values": raw, "errors": errors,
        "error_message": MESSAGES["invalid_list_filter"] if errors else "",
        "documents": page.documents if page else [], "filtered": bool(filters and filters.filtered),
        "statuses": listing.STATUSES[direction], "urgencies": list(Urgency),
        "type_names": [t.name for t in types_repo.active_types(session, principal.user.agency_id)],
        "units": listing.units_of_agency(session, principal.user.agency_id),
        "next_url": None, "previous_url": None, "first_url": None,
    }
    if page is not None and filters is not None:
        context["next_url"] = _url(path, filters.params(after=page.next_cursor)) if page.next_cursor else None
        context["previous_url"] = (_url(path, filters.params(before=page.previous_cursor))
                                   if page.previous_cursor else None)
        context["first_url"] = None if page.first else _url(path, filters.params())
    return render(request, page_template, fragment, status_code=422 if errors else 200, **context, **extra)
