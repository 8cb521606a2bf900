"""Adding recipients to an issued document (bổ sung nơi nhận): the văn thư sends it on to an agency
or unit that was left out, without a new number or a new signature.

The new recipients are delivered like the first ones (``models.outgoing.delivery``): inside the
installation at once, outside through the exchange hub. Earlier recipients are not touched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.service import RPCError

from config.settings import Settings
from models.db import transaction, utcnow
from models.documents.access import document_for_user
from models.documents.file_store import FileStore
from models.errors import Conflict, DomainError, Forbidden
from models.org.tables import User
from models.outgoing import repo as outgoing_repo
from models.outgoing.delivery import deliver, intake_input, queue_for_hub
from models.vocab import Direction, DocumentStatus, Role
from web.deps import ApiUser, CsrfChecked, State, WebUser
from workflows.starter import start_hub_delivery, start_incoming

log = logging.getLogger("qlvb.recipients")

MAY_ADD = {Role.CLERK, Role.AGENCY_LEADER}

router = APIRouter()
api_router = APIRouter(prefix="/api/v1", tags=["v1"])


@dataclass
class RecipientChoice:
    """The recipients to add, as ``outgoing_repo.resolve_recipients`` reads them."""

    recipient_agency_ids: list[int] = field(default_factory=list)
    recipient_codes: list[str] = field(default_factory=list)
    recipient_unit_ids: list[int] = field(default_factory=list)
    kinh_gui_agency_ids: list[int] = field(default_factory=list)


async def add_recipients(engine: Engine, client: Client, settings: Settings, store: FileStore, *, user: User,
                         roles: set[Role], document_id: str, choice: RecipientChoice) -> int:
    """Add recipients to an issued document and deliver it to them; returns how many were added.

    One transaction adds the rows, delivers inside the installation and queues the hub packages
    (with their audit events); after commit the recipients' intake workflows and the hub
    deliveries start (a start that fails is retried by the worker's reconcilers).
    """
    if not roles & MAY_ADD:
        raise Forbidden("add_recipients_not_allowed")
    with transaction(engine) as session:
        document = document_for_user(session, user, document_id, roles)
        if document.direction != Direction.OUTGOING or document.status != DocumentStatus.ISSUED:
            raise Conflict("add_recipients_not_possible")
        added = outgoing_repo.add_recipients(session, document, choice, actor=user)
        delivery = deliver(session, document, utcnow(), actor_id=user.id)
        starts = [intake_input(session, incoming) for incoming in delivery.received]
        queued = queue_for_hub(session, document, store.read, store.put)
    for start in starts:
        try:
            await start_incoming(client, settings.temporal_task_queue, start)
        except RPCError:
            log.warning("intake workflow start for %s deferred to the reconciler", start.document_id, exc_info=True)
    for outbox_id, outbox_uuid in queued:
        try:
            await start_hub_delivery(client, settings.temporal_task_queue, outbox_id, outbox_uuid)
        except RPCError:
            log.warning("hub delivery %s deferred to the next poll", outbox_id, exc_info=True)
    return added


class AddRecipientsRequest(BaseModel):
    recipient_agency_ids: list[int] = Field(default_factory=list)
    recipient_codes: list[str] = Field(default_factory=list)
    recipient_unit_ids: list[int] = Field(default_factory=list)


@api_router.post("/outgoing/{document_id}/recipients", summary="Bổ sung nơi nhận cho văn bản đã ban hành")
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
    try:
        choice = RecipientChoice([int(v) for v in form.getlist("recipient_agency_ids") if str(v).strip()],
                                 _codes(str(form.get("recipient_codes", "")).split(",")),
                                 [int(v) for v in form.getlist("recipient_unit_ids") if str(v).strip()])
    except ValueError:
        raise DomainError("invalid_metadata", fields={"recipient_agency_ids": "invalid"}) from None
    await add_recipients(state.engine, state.client, state.settings, state.store, user=principal.user,
                         roles=principal.roles, document_id=document_id, choice=choice)
    target = f"/outgoing/{document_id}"
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _codes(values: list[str]) -> list[str]:
    return [value.strip().upper() for value in values if value.strip()]
