"""Adding recipients to an issued document (bổ sung nơi nhận): delivered like the first ones, inside at once and outside through the hub, with no new number or signature.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from temporalio.client import Client

from config.settings import Settings
from models.db import transaction, utcnow
from models.documents.access import document_for_user
from models.documents.file_store import FileStore
from models.documents.repo import intake_input
from models.errors import Conflict, Forbidden
from models.org.tables import User
from models.outgoing import repo as outgoing_repo
from models.outgoing.delivery import deliver, queue_for_hub
from models.vocab import Direction, DocumentStatus, Role
from workflows.contracts import IncomingInput
from workflows.starter import start_hub_deliveries_after_commit, start_intakes_after_commit

MAY_ADD = {Role.CLERK, Role.AGENCY_LEADER}


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
    added, starts, queued = await asyncio.to_thread(_add_and_deliver, engine, store, user, roles, document_id,
                                                    choice)
    await start_intakes_after_commit(client, settings.temporal_task_queue, starts)
    await start_hub_deliveries_after_commit(client, settings.temporal_task_queue, queued)
    return added


def _add_and_deliver(engine: Engine, store: FileStore, user: User, roles: set[Role], document_id: str,
                     choice: RecipientChoice) -> tuple[int, list[IncomingInput], list[tuple[int, str]]]:
    """Add the recipients, deliver inside and queue the hub packages in one transaction; what to start."""
    with transaction(engine) as session:
        document = document_for_user(session, user, document_id, roles)
        if document.direction != Direction.OUTGOING or document.status != DocumentStatus.ISSUED:
            raise Conflict("add_recipients_not_possible")
        added = outgoing_repo.add_recipients(session, document, choice, actor=user)
        delivery = deliver(session, document, utcnow(), actor_id=user.id)
        starts = [intake_input(session, incoming) for incoming in delivery.received]
        queued = queue_for_hub(session, document, store.read, store.put)
    return added, starts, queued
