"""The archive's side of hồ sơ: its collection lists, requests to read a restricted hồ sơ, and the
log of every view and download of a hồ sơ (F-III.5.b, F-III.6.a, F-III.6.c, F-III.6.l).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.service import RPCError

from commands.records import today
from models.audit import record as audit
from models.db import reading, transaction, utcnow
from models.errors import Conflict, DomainError, Forbidden, NotFound
from models.org.tables import User
from models.records import archive_repo, items_repo, repo, rules
from models.records.lifecycle import record_event
from models.records.schema import CollectionInput
from models.records.tables import RecordStatus
from models.vocab import Role
from workflows.record_file import RecordFileWorkflow

log = logging.getLogger("qlvb.records")
VIEW_QUIET = timedelta(minutes=5)  # a person reopening the same hồ sơ within this is not counted again
ANNOUNCES = {Role.ARCHIVIST, Role.AGENCY_LEADER}


def _record_announcement(engine: Engine, user: User, data: CollectionInput) -> list[str]:
    """The announcement and its audit in one transaction; the workflows of the hồ sơ due that year."""
    with transaction(engine) as session:
        row = archive_repo.announce(session, user.agency_id, data.year, data.announced_on, user.id)
        due = archive_repo.due_in(session, user.agency_id, data.year)
        audit(session, user.id, "record.collection_announced", "record_collection", row.id, year=data.year,
              announced_on=data.announced_on.isoformat(), records=[r.id for r in due])
        return [r.workflow_id for r in due if r.workflow_id]


async def announce_collection(engine: Engine, client: Client, *, user: User, roles: set[Role],
                              data: CollectionInput) -> int:
    """The archive records the day it announced the list of hồ sơ it collects in a year; the hồ sơ
    due that year are told to count their warning from it. Returns how many hồ sơ are on the list."""
    if not roles & ANNOUNCES:
        raise Forbidden("record_archivist_only")
    workflows = await asyncio.to_thread(_record_announcement, engine, user, data)
    for workflow_id in workflows:
        try:
            await client.get_workflow_handle(workflow_id).signal(RecordFileWorkflow.facts_changed)
        except RPCError:  # the workflow reads the list again at its next round anyway
            log.warning("hồ sơ workflow %s not told of the collection list", workflow_id, exc_info=True)
    return len(workflows)


async def request_access(engine: Engine, client: Client, *, user: User, roles: set[Role], record_id: int,
                         reason: str) -> int:
    """Ask to read a restricted hồ sơ of the archive; the head of the agency decides (a step of the
    hồ sơ's workflow). Returns the request's id."""
    def add() -> tuple[int, str]:
        with transaction(engine) as session:
            record = repo.get(session, record_id)
            if record is None or record.agency_id != user.agency_id:
                raise NotFound("record_not_found")
            if record.status != RecordStatus.ARCHIVED or record.rights != rules.RESTRICTED:
                raise DomainError("record_not_archived")
            if rules.sees(record, user, roles, repo.granted(session, record.id, user.id, today())):
                raise Conflict("record_access_not_needed")
            if archive_repo.pending_request(session, record.id, user.id) is not None:
                raise Conflict("record_access_pending")
            request = archive_repo.add_access_request(session, record.id, user.id, reason)
            record_event(session, user.id, "record.access_requested", record, access_id=request.id, reason=reason)
            return request.id, record.workflow_id
    access_id, workflow_id = await asyncio.to_thread(add)
    try:
        await client.get_workflow_handle(workflow_id).signal(RecordFileWorkflow.access_requested, access_id)
    except RPCError:  # the workflow finds waiting requests whenever it reads the hồ sơ again
        log.warning("hồ sơ workflow %s not told of read request %s", workflow_id, access_id, exc_info=True)
    return access_id


def record_viewed(engine: Engine, user_id: int, record_id: int, *, via: str) -> bool:
    """Count a view of the hồ sơ's page (or API read); False when this person's last is recent."""
    with reading(engine) as session:
        if repo.viewed_since(session, record_id, user_id, utcnow() - VIEW_QUIET):
            return False
    with transaction(engine) as session:
        audit(session, user_id, repo.VIEWED, "record", record_id, via=via)
    return True


def document_to_read(engine: Engine, *, user: User, roles: set[Role], record_id: int, document_id: str,
                     via: str) -> str:
    """The SHA-256 of a filed document's current file for someone who may see the hồ sơ (per its
    chế độ sử dụng), the download logged and counted on the hồ sơ. Missing files answer 404."""
    with transaction(engine) as session:
        record = repo.record_for_user(session, user, roles, record_id, today())
        if record.status == RecordStatus.DISPOSED:
            raise Conflict("record_disposed")
        found = [sha for item, document, sha in items_repo.main_files(session, record.id) if document.id == document_id]
        if not found or found[0] is None:
            raise NotFound("record_item_not_found")
        audit(session, user.id, repo.DOWNLOADED, "record", record.id, via=via, document_id=document_id, file=found[0])
        return found[0]
