"""Recalling an issued document (thu hồi, QĐ44 Điều 13.4.d; ND30 PL VI III.8.a).

The document is frozen in the same transaction as the request; each recipient inside the
installation then gets its recall workflow, and each outside recipient a revocation package
through the hub, both started after the commit (the reconciler restarts lost starts).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.service import RPCError

from config.settings import Settings
from models.db import transaction
from models.documents.access import document_for_user
from models.documents.file_store import FileStore
from models.errors import DomainError, Forbidden
from models.exchange import outbox as hub_outbox
from models.org.tables import User
from models.outgoing import repo as outgoing_repo
from models.text import refuse_unsafe_text
from models.vocab import Role
from workflows.contracts import RecallInput
from workflows.starter import start_hub_deliveries_after_commit, start_recall

log = logging.getLogger("qlvb.recall")

MAY_RECALL = {Role.CLERK, Role.AGENCY_LEADER}


REASON_MAX_LENGTH = 500


async def recall_outgoing(engine: Engine, client: Client, settings: Settings, *, user: User, roles: set[Role],
                          document_id: str, reason: str) -> int:
    """Freeze an issued document and ask its recipients to give it back; returns how many were asked.

    1. The sending agency's văn thư or leader, a reason, an issued document: else nothing changes.
    2. One transaction: the document becomes ``recalled``, each recipient gets the request in its
       status history, and the audit event is written.
       Each outside recipient's revocation package is queued for the exchange hub in it too.
    3. After commit, each recipient inside the installation gets its recall workflow (a task for
       its văn thư); a start that fails is retried by the worker's reconciler. Each revocation
       package gets its delivery workflow; one whose start fails is started by the next hub poll.
    """
    if not roles & MAY_RECALL:
        raise Forbidden("recall_not_allowed")
    refuse_unsafe_text(reason=reason)
    reason = reason.strip()
    if not reason:
        raise DomainError("invalid_fields", fields={"reason": "required"})
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError("invalid_fields", fields={"reason": "too_long"})
    store = FileStore(settings.files_dir)
    asked, pending, revocations = await asyncio.to_thread(
        _request_recall, engine, store, user, roles, document_id, reason)
    for recall in pending:
        try:
            await start_recall(client, settings.temporal_task_queue, RecallInput(
                recall.document_id, recall.agency_id, recall.urgency_rank, recall.sender_document_id,
                recall.reason, recall.requested_by), recall.agency_code)
        except RPCError:
            log.warning("recall start for %s deferred to the reconciler", recall.document_id, exc_info=True)
    # Outside recipients: one delivery per revocation package.
    await start_hub_deliveries_after_commit(client, settings.temporal_task_queue, revocations)
    return asked


def _request_recall(engine: Engine, store: FileStore, user: User, roles: set[Role], document_id: str,
                    reason: str) -> tuple[int, list[outgoing_repo.PendingRecall], list[tuple[int, str]]]:
    """Freeze the document and record the recall in one transaction; how many asked, and what to start."""
    with transaction(engine) as session:
        document = document_for_user(session, user, document_id, roles)
        asked = outgoing_repo.request_recall(session, document, reason=reason, actor=user, put=store.put)
        pending = outgoing_repo.pending_recalls(session, sender_document_id=document.id)
        revocations = hub_outbox.pending_revocations(session, document.id)
    return asked, pending, revocations
