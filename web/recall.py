"""Recalling an issued document (thu hồi, QĐ44 Điều 13.4.d): the sender's request, page and API.

The recipients' answers are ordinary inbox tasks of their ``RecallDocument`` workflows, acted on
through the usual task actions (``dong_y_thu_hoi``, ``tu_choi_thu_hoi``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from commands.recall import recall_outgoing
from web import flash
from web.deps import ApiUser, CsrfChecked, State, WebUser
from web.idempotency import IdempotentRoute, answers_retries_with, effect_data

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])


class RecallRequest(BaseModel):
    reason: str


def _recalled_again(request: Request, stored) -> dict:
    asked = effect_data(request, stored, "document.thu_hoi").get("recipients", 0)
    return {"document_id": stored.subject_id, "status": "recalled", "recipients_asked": asked}


@api_router.post("/outgoing/{document_id}/recall", summary="Thu hồi văn bản đã ban hành")
@answers_retries_with(_recalled_again)
async def api_recall(document_id: str, body: RecallRequest, principal: ApiUser, state: State) -> dict:
    asked = await recall_outgoing(state.engine, state.client, state.settings, user=principal.user,
                                  roles=principal.roles, document_id=document_id, reason=body.reason)
    return {"document_id": document_id, "status": "recalled", "recipients_asked": asked}


@router.post("/outgoing/{document_id}/recall")
async def page_recall(request: Request, document_id: str, principal: WebUser, state: State,
                      _: CsrfChecked) -> Response:
    form = await request.form()
    asked = await recall_outgoing(state.engine, state.client, state.settings, user=principal.user, roles=principal.roles,
                          document_id=document_id, reason=str(form.get("reason", "")))
    said = await run_in_threadpool(flash.recall_message, state.engine, document_id, asked)
    return flash.done(request, f"/outgoing/{document_id}", said)
