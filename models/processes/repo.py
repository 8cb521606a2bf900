"""Publishing and resolving process definitions."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from models.audit import record
from models.errors import DomainError, NotFound
from models.processes.schema import ProcessBody
from models.processes.tables import ProcessDefinition
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


def outgoing_process_for(session: Session, agency_code: str, type_name: str) -> ProcessDefinition:
    """The process a draft of this agency and document type follows when it is submitted.

    The most specific current definition wins: one naming both the agency and the type, then
    one naming the agency, then one naming the type, then a general one; ties go to the key in
    alphabetical order so the choice is stable.
    """
    best: tuple[int, str, ProcessDefinition] | None = None
    for row in current_versions(session, "outgoing"):
        agencies, types = row.body.get("agencies"), row.body.get("doc_types")
        if (agencies is not None and agency_code not in agencies) or (types is not None and type_name not in types):
            continue
        score = (2 if agencies is not None else 0) + (1 if types is not None else 0)
        if best is None or (-score, row.key) < (-best[0], best[1]):
            best = (score, row.key, row)
    if best is None:
        raise NotFound("process_not_found", key="outgoing")
    return best[2]


def all_versions(session: Session) -> list[ProcessDefinition]:
    """Every published definition, newest version of each key first (the administrator's list)."""
    return list(session.exec(select(ProcessDefinition).order_by(ProcessDefinition.key,
                                                                ProcessDefinition.version.desc())))
