"""Publishing and resolving process definitions, and the version each agency binds."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from models.audit import record
from models.db import utcnow
from models.errors import DomainError, NotFound
from models.org.tables import Agency
from models.processes.schema import ProcessBody
from models.processes.tables import ProcessBinding, ProcessDefinition
from models.vocab import DefinitionStatus

# The process every incoming document follows unless an administrator deploys another version.
INCOMING_PROCESS = "incoming-standard"


def current(session: Session, key: str) -> ProcessDefinition:
    """Return the newest published version of a process."""
    row = session.exec(
        select(ProcessDefinition)
        .where(ProcessDefinition.key == key, ProcessDefinition.status == DefinitionStatus.PUBLISHED)
        .order_by(ProcessDefinition.version.desc())
    ).first()
    if row is None:
        raise NotFound("process_not_found", key=key)
    return row


def get_version(session: Session, key: str, version: int) -> ProcessDefinition:
    """Return one pinned version (published or retired: running workflows keep theirs)."""
    row = session.exec(
        select(ProcessDefinition).where(ProcessDefinition.key == key, ProcessDefinition.version == version)
    ).first()
    if row is None:
        raise NotFound("process_not_found", key=key)
    return row


def publish(session: Session, body: ProcessBody, actor_id: int | None) -> tuple[ProcessDefinition, bool]:
    """Publish ``body`` as version n+1 of its key; identical to the newest version: no-op.

    Returns the row and whether a new version was created.
    """
    checksum = body.checksum()
    latest = session.exec(
        select(ProcessDefinition).where(ProcessDefinition.key == body.key)
        .order_by(ProcessDefinition.version.desc())
    ).first()
    if latest is not None and latest.checksum == checksum:
        return latest, False
    version = (session.exec(
        select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == body.key)
    ).one() or 0) + 1
    row = ProcessDefinition(key=body.key, version=version, body=body.model_dump(mode="json"),
                            checksum=checksum, published_by=actor_id)
    session.add(row)
    session.flush()
    record(session, actor_id, "process.published", "process", f"{body.key}:{version}",
           key=body.key, version=version, checksum=checksum)
    return row, True


def parse_body(raw: dict) -> ProcessBody:
    """Validate a definition body, turning schema errors into one domain error."""
    try:
        return ProcessBody.model_validate(raw)
    except ValueError as error:
        raise DomainError("invalid_process", detail=str(error)) from error


def current_versions(session: Session, kind: str) -> list[ProcessDefinition]:
    """The newest published version of every process of one kind (incoming | outgoing)."""
    rows = session.exec(
        select(ProcessDefinition).where(ProcessDefinition.status == DefinitionStatus.PUBLISHED)
        .order_by(ProcessDefinition.key, ProcessDefinition.version.desc())
    )
    newest: dict[str, ProcessDefinition] = {}
    for row in rows:
        if row.body.get("kind") == kind:
            newest.setdefault(row.key, row)
    return list(newest.values())


def serves(body: dict, agency_code: str, type_name: str | None = None) -> bool:
    """Whether an outgoing definition's ``agencies`` and ``doc_types`` admit this agency (and type)."""
    agencies, types = body.get("agencies"), body.get("doc_types")
    return (agencies is None or agency_code in agencies) and (
        type_name is None or types is None or type_name in types)


def outgoing_process_for(session: Session, agency_code: str, type_name: str) -> ProcessDefinition:
    """The process a draft of this agency and document type follows when it is submitted.

    The version the agency's administrator bound wins when it serves the type. Otherwise the
    most specific current definition wins: one naming both the agency and the type, then one
    naming the agency, then one naming the type, then a general one; ties go to the key in
    alphabetical order so the choice is stable.
    """
    agency = session.exec(select(Agency).where(Agency.code == agency_code)).first()
    bound = _bound(session, agency.id, "outgoing") if agency is not None else None
    if bound is not None and serves(bound.body, agency_code, type_name):
        return bound
    best: tuple[int, str, ProcessDefinition] | None = None
    for row in current_versions(session, "outgoing"):
        if not serves(row.body, agency_code, type_name):
            continue
        score = (2 if row.body.get("agencies") is not None else 0) + (1 if row.body.get("doc_types") is not None else 0)
        if best is None or (-score, row.key) < (-best[0], best[1]):
            best = (score, row.key, row)
    if best is None:
        raise NotFound("process_not_found", key="outgoing")
    return best[2]


def incoming_process_for(session: Session, agency_id: int) -> ProcessDefinition:
    """The definition a new incoming document of ``agency_id`` is pinned to: the version the
    agency's administrator bound, else the newest published standard incoming process."""
    return _bound(session, agency_id, "incoming") or current(session, INCOMING_PROCESS)


def _bound(session: Session, agency_id: int, direction: str) -> ProcessDefinition | None:
    # A version retired after it was bound no longer starts workflows: the agency falls back
    # on the default until its administrator binds another.
    binding = binding_of(session, agency_id, direction)
    if binding is None:
        return None
    row = definition_version(session, binding.key, binding.version)
    return row if row is not None and row.status == DefinitionStatus.PUBLISHED else None


def binding_of(session: Session, agency_id: int, direction: str) -> ProcessBinding | None:
    """The agency's binding for one direction (incoming | outgoing), if its administrator set one."""
    return session.get(ProcessBinding, (agency_id, direction))


def definition_version(session: Session, key: str, version: int) -> ProcessDefinition | None:
    """One version of a process in any status, or None."""
    return session.exec(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                        ProcessDefinition.version == version)).first()


def published_versions(session: Session, kind: str) -> list[ProcessDefinition]:
    """Every published version of every process of one kind, newest first within a key (what an
    administrator may bind)."""
    rows = session.exec(select(ProcessDefinition).where(ProcessDefinition.status == DefinitionStatus.PUBLISHED)
                        .order_by(ProcessDefinition.key, ProcessDefinition.version.desc()))
    return [row for row in rows if row.body.get("kind") == kind]


def bind(session: Session, agency_id: int, direction: str, key: str, version: int,
         actor_id: int | None) -> ProcessBinding:
    """Bind a version (the caller checked it is published, of this direction, and serves the agency)."""
    binding = binding_of(session, agency_id, direction) or ProcessBinding(
        agency_id=agency_id, direction=direction, key=key, version=version)
    binding.key, binding.version, binding.bound_by, binding.bound_at = key, version, actor_id, utcnow()
    session.add(binding)
    return binding


def unbind(session: Session, agency_id: int, direction: str) -> None:
    """Drop the agency's binding: its new workflows follow the default again."""
    binding = binding_of(session, agency_id, direction)
    if binding is not None:
        session.delete(binding)


def all_versions(session: Session) -> list[ProcessDefinition]:
    """Every published definition, newest version of each key first (the administrator's list)."""
    return list(session.exec(select(ProcessDefinition).order_by(ProcessDefinition.key,
                                                                ProcessDefinition.version.desc())))
