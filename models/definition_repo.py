"""Publishing and resolving process definitions."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from models.audit import record
from models.definitions import ProcessDefinition
from models.errors import DomainError, NotFound
from models.process_schema import ProcessBody
from models.vocab import DefinitionStatus


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
