"""Filing documents into hồ sơ, from the hồ sơ page and from the document page, and the hồ sơ's
printouts and downloads.

The document page loads ``/documents/{id}/records`` once a document is finished or issued: the hồ
sơ it is in, and a proposal (``models.records.proposals``) the person confirms or changes; nothing
is filed until they do. Downloads through a hồ sơ follow its chế độ sử dụng and are counted.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from commands import record_archive
from commands import records as commands
from models.bounds import Id, parse_id
from models.documents.access import document_for_user
from models.errors import DomainError
from models.records import items_repo, proposals
from models.records.rules import FILEABLE_INCOMING
from models.records.schema import OpenRecordInput
from models.vocab import Direction, DocumentStatus
from web.deps import CsrfChecked, DbSession, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute
from web.labels import RECORD_STATUS_LABELS
from web.records import form_of, go
from web.reports import record_file as report

router = APIRouter(route_class=IdempotentRoute)

# A document is offered for filing once it is the agency's final record: an incoming one from its
# registration (the proposal matters most after ``hoan_thanh``), an outgoing one once issued.
PROPOSED_AFTER = {Direction.INCOMING: FILEABLE_INCOMING, Direction.OUTGOING: {DocumentStatus.ISSUED}}


@router.post("/records/{record_id}/items")
async def file_item(request: Request, record_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await form_of(request)
    document_id = form.get("document_id", "").strip()
    if not document_id or len(document_id) > 36:
        raise DomainError("invalid_fields", fields={"document_id": "required"})
    await run_in_threadpool(commands.file_document, state.engine, user=principal.user, roles=principal.roles,
                            record_id=record_id, document_id=document_id)
    return go(request, f"/records/{record_id}", "Đã đưa văn bản vào hồ sơ.")


@router.post("/records/{record_id}/items/{document_id}/remove")
async def remove_item(request: Request, record_id: Id, document_id: str, principal: WebUser, state: State,
                      _: CsrfChecked) -> Response:
    await run_in_threadpool(commands.remove_document, state.engine, user=principal.user, roles=principal.roles,
                            record_id=record_id, document_id=document_id[:36])
    return go(request, f"/records/{record_id}", "Đã rút văn bản khỏi hồ sơ.")


@router.get("/documents/{document_id}/records")
def filing_panel(request: Request, document_id: str, principal: WebUser, session: DbSession) -> Response:
    """The document page's hồ sơ panel (a fragment): where it is filed, and where to file it."""
    document = document_for_user(session, principal.user, document_id, principal.roles)
    offer = document.agency_id == principal.user.agency_id and document.status in PROPOSED_AFTER.get(
        document.direction, set())
    found = (proposals.proposals(session, principal.user, principal.roles, document, commands.today().year)
             if offer else proposals.Proposal(filed=items_repo.records_of(session, document.id)))
    return render(request, "records/_file_proposal.html", "records/_file_proposal.html", document=document,
                  proposal=found, offer=offer, RECORD_STATUS_LABELS=RECORD_STATUS_LABELS)


@router.post("/documents/{document_id}/records")
async def file_from_document(request: Request, document_id: str, principal: WebUser, state: State,
                             _: CsrfChecked) -> Response:
    """The person confirms the proposal or chooses another hồ sơ (``record_id``), or an entry of
    the Danh mục (``entry:<id>``), which is opened for them first."""
    form = await form_of(request)
    choice = form.get("target", "")
    if choice.startswith("entry:") and (entry_id := parse_id(choice.removeprefix("entry:"))) is not None:
        record_id = await commands.open_record(
            state.engine, state.client, state.settings, user=principal.user, roles=principal.roles,
            data=OpenRecordInput(plan_entry_id=entry_id, creator_id=principal.user.id))
    elif (record_id := parse_id(choice)) is None:
        raise DomainError("invalid_fields", fields={"target": "required"})
    await run_in_threadpool(commands.file_document, state.engine, user=principal.user, roles=principal.roles,
                            record_id=record_id, document_id=document_id[:36])
    return go(request, f"/documents/{document_id}" if form.get("back") != "record" else f"/records/{record_id}",
              "Đã đưa văn bản vào hồ sơ.")


# --- printouts and downloads ------------------------------------------------------------------------


@router.get("/records/{record_id}/listing.pdf")
def listing_pdf(record_id: Id, principal: WebUser, state: State) -> Response:
    return report.listing_pdf_response(state.engine, state.store, principal.user, principal.roles, record_id)


@router.get("/records/{record_id}/listing.xlsx")
def listing_xlsx(record_id: Id, principal: WebUser, state: State) -> Response:
    return report.listing_xlsx_response(state.engine, state.store, principal.user, principal.roles, record_id)


@router.get("/records/{record_id}/transfer.pdf")
def transfer_pdf(record_id: Id, principal: WebUser, state: State) -> Response:
    return report.transfer_pdf_response(state.engine, state.store, principal.user, principal.roles, record_id)


@router.get("/records/{record_id}/documents/{document_id}/file")
def document_file(record_id: Id, document_id: str, principal: WebUser, state: State) -> Response:
    """A filed document's PDF, read through the hồ sơ (its chế độ sử dụng decides), counted."""
    sha256 = record_archive.document_to_read(state.engine, user=principal.user, roles=principal.roles,
                                             record_id=record_id, document_id=document_id[:36], via="web")
    return Response(state.store.read(sha256), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{document_id[:36]}.pdf"'})

