"""Write operations shared by the HTML pages and API v1; each owns its transactions.

Routes only parse input and render output. Here, every command opens its transaction with
``models.db.transaction`` (one place owns it) and talks to Temporal strictly after commit, so a
workflow never sees a row that might still roll back.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from config.settings import Settings
from models.audit import record
from models.db import transaction
from models.documents.access import document_for_user
from models.documents.digitise import ScanLimits, prepare_scan, suggest_metadata
from models.documents.file_store import FileStore
from models.documents.pdf_checks import inspect_pdf
from models.documents.repo import receive_incoming, store_file
from models.documents.schema import IncomingMetadata
from models.documents.tables import Document
from models.documents.text_extract import pdf_text
from models.errors import AuthFailed, Conflict, DomainError, Forbidden
from models.org import repo as account_repo
from models.org.tables import Agency, User
from models.processes import repo as definition_repo
from models.tasks import repo as task_repo
from models.tasks.actions import SERVER_ONLY_ACTIONS, units_belong, validate_fields
from models.vocab import URGENCY_RANK, DocumentSource, Role, SessionKind, TaskStatus
from workflows.contracts import DecideInput, DecideResult, IncomingInput, RerouteInput
from workflows.incoming import IncomingDocumentWorkflow
from workflows.starter import start_incoming

log = logging.getLogger("qlvb.web")

UPDATE_RPC_TIMEOUT = timedelta(seconds=10)
INCOMING_PROCESS = "incoming-standard"


class MetadataInvalid(DomainError):
    """Metadata failed validation; ``params['errors']`` lists (field, error type, context)."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__("invalid_metadata", errors=[
            {"field": ".".join(str(p) for p in item["loc"]) or "metadata", "type": item["type"],
             "ctx": {k: str(v) for k, v in (item.get("ctx") or {}).items()}}
            for item in error.errors()
        ])


def parse_metadata(raw: dict) -> IncomingMetadata:
    """Validate incoming metadata (a state-secret marking raises ``secret_document`` directly)."""
    try:
        return IncomingMetadata.model_validate(raw)
    except ValidationError as error:
        raise MetadataInvalid(error) from None


# --- accounts -------------------------------------------------------------------------------


@dataclass
class LoginResult:
    token: str
    user: User
    csrf_token: str
    must_change_password: bool


def login(engine: Engine, settings: Settings, username: str, password: str, kind: SessionKind,
          user_agent: str = "", ip_address: str = "") -> LoginResult:
    """Authenticate and open a session; failures are audited and committed before raising."""
    failure: AuthFailed | None = None
    with transaction(engine) as session:
        try:
            user = account_repo.authenticate(
                session, username, password, max_failures=settings.login_max_failures,
                lockout=timedelta(minutes=settings.lockout_minutes), ip_address=ip_address,
            )
            token, row = account_repo.open_session(
                session, user, kind, timedelta(minutes=settings.session_idle_minutes),
                user_agent=user_agent, ip_address=ip_address,
            )
            result = LoginResult(token, user, row.csrf_token, user.must_change_password)
        except AuthFailed as error:
            failure = error
    if failure is not None:
        raise failure
    return result


def logout(engine: Engine, session_id: int, user_id: int) -> None:
    """End the current session."""
    with transaction(engine) as session:
        account_repo.revoke_session(session, user_id, session_id, user_id)
        record(session, user_id, "auth.logout", "user", user_id)


# --- intake ---------------------------------------------------------------------------------


async def receive_upload(
    engine: Engine, client: Client, settings: Settings, store: FileStore, *,
    clerk: User, roles: set[Role], raw_metadata: dict, data: bytes, filename: str,
    source: DocumentSource = DocumentSource.UPLOAD,
) -> Document:
    """Register an uploaded PDF as an incoming document and start its workflow.

    1. Check role, size, PDF validity and metadata before anything is written.
    2. Write the blob (content-addressed, write-once), then in one transaction the file row,
       the document row (NEW) and the audit event.
    3. After commit, start the workflow; if that fails, the reconciler starts it later.
    """
    if Role.CLERK not in roles:
        raise DomainError("clerk_only")
    if len(data) > settings.upload_max_bytes:
        raise DomainError("file_too_large", limit=settings.upload_max_bytes)
    if not data:
        raise DomainError("file_missing")
    page_count = inspect_pdf(data)
    metadata = parse_metadata(raw_metadata)

    digest = await asyncio.to_thread(store.put, data)
    with transaction(engine) as session:
        definition = definition_repo.current(session, INCOMING_PROCESS)
        stored = store_file(session, sha256=digest, size=len(data), content_type="application/pdf",
                            filename=filename or "van-ban.pdf", user_id=clerk.id)
        document = receive_incoming(
            session, clerk=clerk, metadata=metadata, stored=stored, page_count=page_count,
            process_key=definition.key, process_version=definition.version, source=source,
        )
        agency_code = session.get(Agency, clerk.agency_id).code
    start = IncomingInput(document.id, document.agency_id, agency_code,
                          URGENCY_RANK[metadata.priority], document.process_key, document.process_version,
                          source=str(source))
    try:
        await start_incoming(client, settings.temporal_task_queue, start)
    except RPCError:
        log.warning("workflow start for %s deferred to the reconciler", document.id, exc_info=True)
    return document


async def receive_paper(
    engine: Engine, client: Client, settings: Settings, store: FileStore, *,
    clerk: User, roles: set[Role], raw_metadata: dict, scans: list[tuple[str, bytes]],
) -> Document:
    """Register a paper document from its scans (QĐ44 Điều 10.2): the workflow OCRs and signs it.

    The scans (PDF, JPEG, PNG, TIFF, in page order) are checked and joined into one PDF first;
    the paper itself stays with the văn thư, so the document is marked as having a paper copy.
    """
    if Role.CLERK not in roles:
        raise DomainError("clerk_only")
    if sum(len(data) for _, data in scans) > settings.upload_max_bytes:
        raise DomainError("file_too_large", limit=settings.upload_max_bytes)
    prepared = await asyncio.to_thread(prepare_scan, scans, ScanLimits.from_settings(settings))
    return await receive_upload(
        engine, client, settings, store, clerk=clerk, roles=roles,
        raw_metadata={**raw_metadata, "paper_copy": True}, data=prepared.pdf,
        filename=scans[0][0] if scans else "ban-quet.pdf", source=DocumentSource.PAPER,
    )


# --- tasks ----------------------------------------------------------------------------------


@dataclass
class ActionOutcome:
    """What happened to a decision: applied, or still in flight (outcome unknown)."""

    task_id: int
    action: str
    applied: bool
    document_id: str
    document_status: str = ""


async def act_on_task(engine: Engine, client: Client, *, task_id: int, user: User, roles: set[Role],
                      action: str, fields: dict, nonce: str, server_fields: dict | None = None) -> ActionOutcome:
    """The completion handshake (TEMPORAL-PATTERNS §4).

    1. Validate the fields, then move the row OPEN/CLAIMED-by-me → COMPLETING (conditional).
    2. Send the decision as a Workflow Update with an id derived from task, action and nonce,
       so a retried click returns the first result instead of deciding twice.
    3. Accepted: the workflow's activity has closed the row. Rejected: put the row back and
       report why. Timed out: leave it COMPLETING; the outcome is unknown, not failed.
    """
    if action in SERVER_ONLY_ACTIONS and server_fields is None:
        raise DomainError("action_needs_own_request")
    with transaction(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        if action not in task.actions:
            raise DomainError("action_not_allowed")
        clean = validate_fields(session, task.agency_id, action, fields, task.unit_id)
        # Facts QLVB established itself (the signed file), never taken from the form.
        clean.update(server_fields or {})
        previous = task_repo.begin_completing(session, task, user, roles)
        workflow_id, task_key, document_id = task.workflow_id, task.task_key, task.document_id

    handle = client.get_workflow_handle(workflow_id)
    try:
        # By name: every document workflow (incoming, outgoing) speaks the same ``decide``.
        result = await handle.execute_update(
            "decide",
            DecideInput(task_key=task_key, action=action, actor_id=user.id, fields=clean),
            result_type=DecideResult,
            id=f"task-{task_id}:{action}:{nonce}",
            rpc_timeout=UPDATE_RPC_TIMEOUT,
        )
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        return ActionOutcome(task_id, action, applied=False, document_id=document_id)
    except (WorkflowUpdateFailedError, RPCError) as error:
        with transaction(engine) as session:
            task_repo.revert_completing(session, task_id, previous, user.id)
        cause = getattr(error, "cause", None)
        if isinstance(cause, ApplicationError) and cause.type:
            raise Conflict(cause.type) from error
        raise Conflict("workflow_unavailable") from error
    return ActionOutcome(task_id, action, applied=True, document_id=document_id,
                         document_status=result.document_status)


def claim_task(engine: Engine, task_id: int, user: User, roles: set[Role]) -> None:
    """Claim an open task for oneself, with an audit event."""
    with transaction(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        task_repo.claim(session, task, user, roles)
        record(session, user.id, "task.claimed", "document", task.document_id, task_id=task.id)


def release_task(engine: Engine, task_id: int, user: User, roles: set[Role]) -> None:
    """Give a claimed task back to its group, with an audit event."""
    with transaction(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        if task.status != TaskStatus.CLAIMED:
            raise Conflict("task_not_claimed")
        task_repo.release(session, task, user)
        record(session, user.id, "task.released", "document", task.document_id, task_id=task.id)


PROGRESS_MAX_LENGTH = 2000


def report_progress(engine: Engine, task_id: int, user: User, roles: set[Role], text: str) -> None:
    """A handler reports progress on their open handling step (ND30 Điều 24.2).

    Progress does not move the process, so it is a database record only: an audit event on the
    document, which the processing history and the follow-up register read.
    """
    text = text.strip()
    if not text:
        raise DomainError("invalid_fields", fields={"progress": "required"})
    if len(text) > PROGRESS_MAX_LENGTH:
        raise DomainError("invalid_fields", fields={"progress": "too_long"})
    with transaction(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        if task.step != "handle" or task.status != TaskStatus.CLAIMED or task.assignee_id != user.id:
            raise Conflict("progress_not_allowed")
        record(session, user.id, "document.bao_cao_tien_do", "document", task.document_id,
               task_id=task.id, progress=text)


async def reroute(engine: Engine, client: Client, *, document_id: str, user: User, roles: set[Role],
                  unit_id: int, new_unit_id: int | None, reason: str, nonce: str) -> None:
    """The agency leader withdraws a routed unit or hands its part to another unit.

    Who may do it is checked here (agency leaders of the document's agency); whether the change
    fits the running process is checked by the workflow's validator.
    """
    if Role.AGENCY_LEADER not in roles:
        raise Forbidden("leader_only")
    reason = reason.strip()
    if not reason:
        raise DomainError("invalid_fields", fields={"reason": "required"})
    with transaction(engine) as session:
        document = document_for_user(session, user, document_id, roles)
        unit_ids = [unit_id] + ([new_unit_id] if new_unit_id is not None else [])
        if not units_belong(session, document.agency_id, [str(u) for u in unit_ids]):
            raise DomainError("invalid_fields", fields={"new_unit_id": "invalid"})
        workflow_id = document.workflow_id
    handle = client.get_workflow_handle(workflow_id)
    try:
        await handle.execute_update(
            IncomingDocumentWorkflow.reroute,
            RerouteInput(request_id=f"reroute:{nonce}", actor_id=user.id, unit_id=unit_id,
                         new_unit_id=new_unit_id, reason=reason[:500]),
            id=f"reroute-{document_id}:{nonce}", rpc_timeout=UPDATE_RPC_TIMEOUT,
        )
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        return
    except (WorkflowUpdateFailedError, RPCError) as error:
        cause = getattr(error, "cause", None)
        if isinstance(cause, ApplicationError) and cause.type:
            raise Conflict(cause.type) from error
        raise Conflict("workflow_unavailable") from error


async def suggest_metadata_from_pdf(data: bytes, settings: Settings) -> dict:
    """Suggested metadata read from an uploaded PDF's text layer; the văn thư confirms or corrects.

    Nothing is stored. A PDF without a text layer (a scan) gives no suggestions: paper documents
    get theirs from OCR once the workflow has digitised them.
    """
    if len(data) > settings.upload_max_bytes:
        raise DomainError("file_too_large", limit=settings.upload_max_bytes)
    inspect_pdf(data)
    text = await asyncio.to_thread(pdf_text, data)
    return suggest_metadata(text) if text.strip() else {}
