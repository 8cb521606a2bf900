"""Hồ sơ: opening, filing documents, closing, transfer, keeping longer, corrections, freezing,
handover (ND30 Điều 29–31). Pages and API v1 call the same commands.

Each command checks who may act and validates (bad input changes nothing), owns its transaction,
and audits. Steps of the process go through the hồ sơ's workflow (``hoso-<uuid>``), started after
the hồ sơ is committed; a command that needs it starts it again when the first start was lost
(starting is idempotent on the id).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from commands import workflow_updates
from commands.tasks import ActionOutcome, act_on_task
from config.settings import Settings
from models.audit import record as audit
from models.db import reading, transaction, utcnow
from models.documents.access import document_for_user
from models.errors import Conflict, DomainError, Forbidden
from models.org.tables import Agency, User
from models.records import corrections, decisions, items_repo, repo, rules
from models.records.lifecycle import record_event
from models.records.schema import CorrectionInput, KeepInput, OpenRecordInput
from models.records.tables import RecordFile, RecordStatus
from models.registers.numbering import vietnam_date
from models.tasks import repo as task_repo
from models.vocab import Action, Role
from workflows.record_contracts import CorrectRecordInput, RecordFileInput, RecordRequest, RecordRequestResult
from workflows.record_file import RecordFileWorkflow
from workflows.starter import start_record_file

log = logging.getLogger("qlvb.records")
# Who may name another person as a hồ sơ's creator when opening it.
NAMES_CREATORS = rules.SEES_WHOLE_AGENCY | {Role.UNIT_LEADER}


def today() -> date:
    """Today in Vietnam (FileCatalog years and dates follow Vietnam time)."""
    return vietnam_date(utcnow())


def managed(session, user: User, roles: set[Role], record_id: int) -> RecordFile:
    """A hồ sơ the person may see and keep (its creator, its unit's head); else 404 / 403."""
    record = repo.record_for_user(session, user, roles, record_id, today())
    if not rules.manages(record, user, roles):
        raise Forbidden("record_not_manager")
    return record


# --- opening ------------------------------------------------------------------------------------


@dataclass
class Opened:
    """A hồ sơ just opened, and what its workflow starts with."""

    record_id: int
    workflow_id: str
    agency_code: str
    start: RecordFileInput


async def open_record(engine: Engine, client: Client, settings: Settings, *, user: User, roles: set[Role],
                      data: OpenRecordInput) -> int:
    """Open a hồ sơ from an approved Danh mục entry or outside the Danh mục; returns its id.

    1. The entry's title, số và ký hiệu and retention (or, outside the Danh mục, the ones typed:
       title, số và ký hiệu, retention and start date are required), a creator of the agency.
    2. One transaction: the FileCode is unique in the agency and year (else
       ``record_notation_taken``), the row is added and audited.
    3. After commit the hồ sơ's workflow starts (collecting).
    """
    opened = await asyncio.to_thread(_open, engine, user, roles, data)
    await ensure_workflow(client, settings, opened.start, opened.workflow_id, opened.agency_code)
    return opened.record_id


def _open(engine: Engine, user: User, roles: set[Role], data: OpenRecordInput) -> Opened:
    with transaction(engine) as session:
        values = _from_entry(session, user, data) if data.plan_entry_id else _ad_hoc(data)
        planned_creator = values.pop("creator_id", None)
        creator = _creator(session, user, roles, data.creator_id or planned_creator or user.id)
        values.setdefault("unit_id", None)
        values["unit_id"] = values["unit_id"] or creator.unit_id
        year = values.pop("year")
        if repo.by_notation(session, user.agency_id, year, values["file_notation"]) is not None:
            raise Conflict("record_notation_taken", notation=values["file_notation"], year=year)
        record = repo.add(session, RecordFile(
            agency_id=user.agency_id, file_catalog=year, creator_id=creator.id,
            rights=rules.clean_rights(data.rights), description=data.description, construction=data.construction,
            workflow_id=f"hoso-{uuid.uuid4()}", status=RecordStatus.OPEN, **values))
        record_event(session, user.id, "record.opened", record, title=record.title, maintenance=record.maintenance,
                     creator_id=creator.id, plan_entry_id=record.plan_entry_id)
        agency = session.get(Agency, user.agency_id)
        return Opened(record.id, record.workflow_id, agency.code, RecordFileInput(record.id, record.agency_id))


def _from_entry(session, user: User, data: OpenRecordInput) -> dict:
    found = repo.approved_entry(session, data.plan_entry_id, user.agency_id)
    if found is None:
        raise DomainError("record_entry_not_approved")
    entry, year = found
    return {"year": year, "title": entry.title, "file_notation": entry.file_notation,
            "maintenance": rules.retention(entry.maintenance).text, "plan_entry_id": entry.id,
            "start_date": data.start_date or today(), "creator_id": entry.creator_user_id,
            "unit_id": entry.creator_unit_id or repo.heading_unit(session, entry.heading_id)}


def _ad_hoc(data: OpenRecordInput) -> dict:
    missing = {name: "required" for name in ("title", "file_notation", "maintenance", "start_date")
               if not getattr(data, name)}
    if missing:
        raise DomainError("invalid_fields", fields=missing)
    return {"year": data.start_date.year, "title": data.title, "file_notation": rules.clean_notation(data.file_notation),
            "maintenance": rules.retention(data.maintenance).text, "start_date": data.start_date}


def _creator(session, user: User, roles: set[Role], creator_id: int) -> User:
    creator = repo.colleague(session, creator_id, user.agency_id)
    if creator is None:
        raise DomainError("invalid_fields", fields={"creator_id": "invalid"})
    if creator.id != user.id and not roles & NAMES_CREATORS:
        raise DomainError("invalid_fields", fields={"creator_id": "invalid"})
    return creator


async def ensure_workflow(client: Client, settings: Settings, start: RecordFileInput, workflow_id: str,
                          agency_code: str) -> None:
    """Start the hồ sơ's workflow if it is not running (a lost start is made again, never twice)."""
    try:
        await start_record_file(client, settings.temporal_task_queue, start, workflow_id, agency_code)
    except RPCError:
        log.warning("hồ sơ workflow %s not started; started again on its next step", workflow_id, exc_info=True)


# --- collecting -----------------------------------------------------------------------------------


def file_document(engine: Engine, *, user: User, roles: set[Role], record_id: int, document_id: str) -> int:
    """File a document in an open hồ sơ, without copying it; returns its DocOrdinal.

    Refused in Vietnamese: a document the person cannot see (404), another agency's document, a
    draft or an unregistered document, a hồ sơ closed or frozen, a document already in it.
    """
    with transaction(engine) as session:
        record = managed(session, user, roles, record_id)
        document = document_for_user(session, user, document_id, roles)
        rules.check_fileable(document, record.agency_id)
        record = repo.lock_open(session, record.id)
        item = items_repo.add(session, record.id, document.id, user.id)
        record_event(session, user.id, "record.item_filed", record, document_id=document.id,
                     doc_ordinal=item.doc_ordinal)
        audit(session, user.id, "document.filed", "document", document.id, record_id=record.id,
              file_notation=record.file_notation, file_catalog=record.file_catalog, doc_ordinal=item.doc_ordinal)
        return item.doc_ordinal


def remove_document(engine: Engine, *, user: User, roles: set[Role], record_id: int, document_id: str) -> None:
    """Take a document out of an open hồ sơ (a duplicate, a draft found at review); the documents
    after it move up one place, so DocOrdinal stays gapless."""
    with transaction(engine) as session:
        record = repo.lock_open(session, managed(session, user, roles, record_id).id)
        ordinal = items_repo.remove(session, record.id, document_id)
        record_event(session, user.id, "record.item_removed", record, document_id=document_id, doc_ordinal=ordinal)
        audit(session, user.id, "document.unfiled", "document", document_id, record_id=record.id,
              file_notation=record.file_notation, file_catalog=record.file_catalog)


# --- steps through the workflow ------------------------------------------------------------------


@dataclass
class _Target:
    workflow_id: str
    start: RecordFileInput
    agency_code: str
    task_id: int | None = None


def _target(session, record: RecordFile, step: str = "") -> _Target:
    agency = session.get(Agency, record.agency_id)
    waiting = [task for task in repo.waiting_steps(session, record.id) if task.step == step] if step else []
    return _Target(record.workflow_id, RecordFileInput(record.id, record.agency_id), agency.code,
                   waiting[0].id if waiting else None)


async def _ask(client: Client, settings: Settings, target: _Target, ask: RecordRequest) -> RecordRequestResult:
    """Send a request to the hồ sơ's process; its refusals come back as Vietnamese conflicts."""
    await ensure_workflow(client, settings, target.start, target.workflow_id, target.agency_code)
    handle = client.get_workflow_handle(target.workflow_id)
    try:
        return await handle.execute_update(RecordFileWorkflow.request, ask, id=ask.request_id,
                                           rpc_timeout=workflow_updates.UPDATE_WAIT)
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise Conflict("workflow_unavailable") from None
    except (WorkflowUpdateFailedError, RPCError) as error:
        cause = getattr(error, "cause", None)
        if isinstance(cause, ApplicationError) and cause.type:
            raise Conflict(cause.type) from error
        raise Conflict("workflow_unavailable") from error


def _closing_target(engine: Engine, user: User, roles: set[Role], record_id: int) -> _Target:
    with reading(engine) as session:
        record = repo.record_for_user(session, user, roles, record_id, today())
        if record.creator_id != user.id:
            raise Forbidden("record_creator_only")
        rules.check_open(record)
        decisions.check_closing(session, record)
        return _target(session, record, "record_review")


async def close_record(engine: Engine, client: Client, settings: Settings, *, user: User, roles: set[Role],
                       record_id: int, note: str = "", nonce: str = "") -> ActionOutcome:
    """The creator closes the hồ sơ: their review step (opened now when none waits) decided ``dong_ho_so``.

    Drafts, duplicates and an empty hồ sơ are refused before anything is sent; the listing
    (biên mục) is the workflow's apply activity's, in the transaction that closes the step.
    """
    nonce = nonce or uuid.uuid4().hex
    target = await asyncio.to_thread(_closing_target, engine, user, roles, record_id)
    if target.task_id is None:
        opened = await _ask(client, settings, target, RecordRequest(f"review-{nonce}", "review", user.id))
        target.task_id = await asyncio.to_thread(_task_id, engine, target.workflow_id, opened.task_key)
    return await act_on_task(engine, client, task_id=target.task_id, user=user, roles=roles,
                             action=Action.CLOSE_RECORD, fields={"note": note} if note else {}, nonce=nonce)


def _task_id(engine: Engine, workflow_id: str, task_key: str) -> int:
    with reading(engine) as session:
        return task_repo.by_key(session, workflow_id, task_key).id


async def request_review(engine: Engine, client: Client, settings: Settings, *, user: User, roles: set[Role],
                         record_id: int, nonce: str = "") -> str:
    """Ask the creator to review and close the hồ sơ (their step in the inbox); returns its task key."""
    def target() -> _Target:
        with reading(engine) as session:
            record = managed(session, user, roles, record_id)
            rules.check_open(record)
            return _target(session, record)
    found = await asyncio.to_thread(target)
    result = await _ask(client, settings, found, RecordRequest(f"review-{nonce or uuid.uuid4().hex}", "review", user.id))
    return result.task_key


async def transfer_record(engine: Engine, client: Client, settings: Settings, *, user: User, roles: set[Role],
                          record_id: int, nonce: str = "") -> str:
    """Hand a closed hồ sơ to the archive (its check follows); returns the status after.

    Refused: a hồ sơ not closed yet (``record_not_closed``), already transferred, frozen, or kept
    less than 5 years (stays with the unit, ``record_not_transferable``).
    """
    def target() -> _Target:
        with reading(engine) as session:
            record = managed(session, user, roles, record_id)
            _check_transferable(record)
            return _target(session, record)
    found = await asyncio.to_thread(target)
    result = await _ask(client, settings, found, RecordRequest(f"transfer-{nonce or uuid.uuid4().hex}", "transfer",
                                                               user.id))
    return result.status


def _check_transferable(record: RecordFile) -> None:
    if record.status == RecordStatus.DISPOSED:
        raise Conflict("record_disposed")
    if record.status in (RecordStatus.TRANSFERRING, RecordStatus.ARCHIVED):
        raise Conflict("record_already_transferred")
    if record.status == RecordStatus.OPEN:
        raise DomainError("record_not_closed")
    rules.check_not_frozen(record)
    if not rules.must_transfer(record.maintenance):
        raise DomainError("record_not_transferable")


async def request_keep(engine: Engine, client: Client, settings: Settings, *, user: User, roles: set[Role],
                       record_id: int, data: KeepInput, nonce: str = "") -> str:
    """Ask the unit head to let the unit keep a hồ sơ due for transfer (≤ 2 years); the step's key."""
    def target() -> _Target:
        with reading(engine) as session:
            record = managed(session, user, roles, record_id)
            _check_transferable(record)
            if record.transfer_due is None:
                raise DomainError("record_not_due")
            rules.check_keep_until(data.until, record.transfer_due)
            return _target(session, record)
    found = await asyncio.to_thread(target)
    result = await _ask(client, settings, found, RecordRequest(
        f"keep-{nonce or uuid.uuid4().hex}", "keep", user.id, until=data.until.isoformat(), reason=data.reason))
    return result.task_key


async def correct_record(engine: Engine, client: Client, settings: Settings, *, user: User, roles: set[Role],
                         record_id: int, data: CorrectionInput, nonce: str = "") -> bool:
    """Correct a hồ sơ's metadata with a reason: its own audited step, through the workflow so the
    timers it counts from (retention, settlement) follow. The creator and the unit head correct
    what the unit keeps, the archive what it keeps."""
    def target() -> tuple[_Target, dict[str, str]]:
        with reading(engine) as session:
            record = repo.record_for_user(session, user, roles, record_id, today())
            in_archive = record.status in (RecordStatus.TRANSFERRING, RecordStatus.ARCHIVED)
            if not (Role.ARCHIVIST in roles if in_archive else rules.manages(record, user, roles)):
                raise Forbidden("record_archivist_only" if in_archive else "record_not_manager")
            if record.status == RecordStatus.DISPOSED:
                raise Conflict("record_disposed")
            rules.check_not_frozen(record)
            return _target(session, record), corrections.clean_changes(record, data)
    found, changes = await asyncio.to_thread(target)
    await ensure_workflow(client, settings, found.start, found.workflow_id, found.agency_code)
    change = CorrectRecordInput(f"correct-{nonce or uuid.uuid4().hex}", record_id, user.id, data.reason, changes)
    try:
        return await client.get_workflow_handle(found.workflow_id).execute_update(
            RecordFileWorkflow.correct, change, id=change.request_id, rpc_timeout=workflow_updates.UPDATE_WAIT)
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise Conflict("workflow_unavailable") from None
    except (WorkflowUpdateFailedError, RPCError) as error:
        cause = getattr(error, "cause", None)
        raise Conflict(cause.type if isinstance(cause, ApplicationError) and cause.type else "workflow_unavailable") \
            from error


# --- freezing and handover -----------------------------------------------------------------------


def set_frozen(engine: Engine, *, user: User, roles: set[Role], record_id: int, frozen: bool, reason: str) -> None:
    """Lock (or unlock) a hồ sơ against edit, move and delete (F-IV.1.g); the head of the agency or
    the archive, with a reason."""
    if not roles & rules.MAY_FREEZE:
        raise Forbidden("record_freeze_not_allowed")
    with transaction(engine) as session:
        record = repo.record_for_user(session, user, roles, record_id, today())
        if record.status == RecordStatus.DISPOSED:
            raise Conflict("record_disposed")
        if record.frozen == frozen:
            return
        repo.lock(session, record)
        record.frozen = frozen
        session.add(record)
        record_event(session, user.id, "record.frozen" if frozen else "record.unfrozen", record, reason=reason)


def hand_over(engine: Engine, *, user: User, roles: set[Role], record_id: int, successor_id: int, reason: str) -> None:
    """Hand a hồ sơ still kept by the unit to the person who continues the work: they become its
    creator, and its creator's waiting step is theirs (as ``models.org.people`` does on a move)."""
    with transaction(engine) as session:
        record = managed(session, user, roles, record_id)
        if record.status not in (RecordStatus.OPEN, RecordStatus.CLOSED):
            raise Conflict("record_already_transferred")
        successor = repo.colleague(session, successor_id, record.agency_id)
        if successor is None or successor.id == record.creator_id:
            raise DomainError("record_bad_successor")
        repo.lock(session, record)
        previous, record.creator_id = record.creator_id, successor.id
        session.add(record)
        steps = repo.reassign_steps(session, record.id, previous, successor.id)
        record_event(session, user.id, "record.handed_over", record, from_user_id=previous, to_user_id=successor.id,
                     reason=reason, steps=steps)
