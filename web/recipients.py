"""Adding recipients to an issued document (bổ sung nơi nhận): the văn thư sends it on to an agency
or unit that was left out, without a new number or a new signature.

The new recipients are delivered like the first ones (``models.outgoing.delivery``): inside the
installation at once, outside through the exchange hub. Earlier recipients are not touched.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from commands.recipients import RecipientChoice, add_recipients
from models.bounds import Id, require_ids
from web import flash
from web.deps import ApiUser, CsrfChecked, State, WebUser
from web.idempotency import IdempotentRoute, answers_retries_with, effect_data

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])


class AddRecipientsRequest(BaseModel):
    recipient_agency_ids: list[Id] = Field(default_factory=list)
    recipient_codes: list[str] = Field(default_factory=list)
    recipient_unit_ids: list[Id] = Field(default_factory=list)


def _added_again(request: Request, stored) -> dict:
    added = len(effect_data(request, stored, "document.bo_sung_noi_nhan").get("added", []))
    return {"document_id": stored.subject_id, "recipients_added": added}


@api_router.post("/outgoing/{document_id}/recipients", summary="Bổ sung nơi nhận cho văn bản đã ban hành")
@answers_retries_with(_added_again)
async def api_add_recipients(document_id: str, body: AddRecipientsRequest, principal: ApiUser, state: State) -> dict:
    added = await add_recipients(state.engine, state.client, state.settings, state.store, user=principal.user,
                                 roles=principal.roles, document_id=document_id,
                                 choice=RecipientChoice(body.recipient_agency_ids, _codes(body.recipient_codes),
                                                        body.recipient_unit_ids))
    return {"document_id": document_id, "recipients_added": added}


@router.post("/outgoing/{document_id}/recipients")
async def page_add_recipients(request: Request, document_id: str, principal: WebUser, state: State,
                              _: CsrfChecked) -> Response:
    form = await request.form()
    choice = RecipientChoice(require_ids("recipient_agency_ids", form.getlist("recipient_agency_ids")),
                             _codes(str(form.get("recipient_codes", "")).split(",")),
                             require_ids("recipient_unit_ids", form.getlist("recipient_unit_ids")))
    await add_recipients(state.engine, state.client, state.settings, state.store, user=principal.user,
                         roles=principal.roles, document_id=document_id, choice=choice)
    return flash.done(request, f"/outgoing/{document_id}", "Đã thêm nơi nhận và gửi văn bản đến nơi nhận mới.",
                      trigger=None)


def _codes(values: list[str]) -> list[str]:
    return [value.strip().upper() for value in values if value.strip()]
