"""Which process definition version an agency's new workflows start with (DOMAIN §8; TEMPORAL-PATTERNS §10).

Definitions are deployed installation-wide (``qlvb processes deploy``, ``/admin/processes``) as
immutable versions. An agency's administrator binds one deployed version per direction to the
agency: every incoming document it receives from then on (upload, paper, another agency, the
hub) and every draft it submits (when the bound definition serves the draft's type) starts its
workflow pinned to that version; workflows already running keep theirs. Without a binding the
agency follows the newest version. An unknown, undeployed or unsuitable version is refused in
Vietnamese and nothing changes; each change is audited with the binding before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from commands.configuration import admin_scope, configurable_agency, managed_agency
from models.audit import record
from models.db import reading, transaction
from models.errors import DomainError, NotFound
from models.org.tables import Agency, User
from models.processes import repo as definition_repo
from models.processes.tables import ProcessDefinition
from models.text import refuse_unsafe_text
from models.vocab import DefinitionStatus, Role

DIRECTIONS = ("incoming", "outgoing")


@dataclass
class VersionView:
    """A deployed version an administrator may bind."""

    key: str
    version: int
    title: str
    published_at: datetime
    doc_types: list[str] | None  # outgoing: the types it serves (None: every type)


@dataclass
class BindingView:
    """What an agency's new workflows of one direction start with, and what it may bind instead.

    ``bound`` says whether the administrator chose the version; otherwise ``key``/``version``
    name the newest version it follows (empty for outgoing, where the draft's type decides).
    """

    agency_code: str
    direction: str
    bound: bool
    key: str
    version: int | None
    title: str
    bound_at: datetime | None = None
    bound_by: str = ""
    choices: list[VersionView] = field(default_factory=list)


def _version_view(row: ProcessDefinition) -> VersionView:
    return VersionView(row.key, row.version, row.body.get("title", ""), row.published_at, row.body.get("doc_types"))


def _view(session: Session, agency: Agency, direction: str) -> BindingView:
    choices = [_version_view(row) for row in definition_repo.published_versions(session, direction)
               if direction == "incoming" or definition_repo.serves(row.body, agency.code)]
    binding = definition_repo.binding_of(session, agency.id, direction)
    if binding is not None:
        row = definition_repo.definition_version(session, binding.key, binding.version)
        actor = session.get(User, binding.bound_by) if binding.bound_by else None
        return BindingView(agency.code, direction, True, binding.key, binding.version,
                           row.body.get("title", "") if row else "", binding.bound_at,
                           actor.full_name if actor else "", choices)
    if direction == "outgoing":
        return BindingView(agency.code, direction, False, "", None, "", choices=choices)
    try:
        row = definition_repo.current(session, definition_repo.INCOMING_PROCESS)
    except NotFound:
        return BindingView(agency.code, direction, False, "", None, "", choices=choices)
    return BindingView(agency.code, direction, False, row.key, row.version, row.body.get("title", ""),
                       choices=choices)


def _direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise DomainError("invalid_fields", fields={"direction": "enum"})
    return direction


def list_bindings(engine: Engine, *, actor_id: int, roles: set[Role], agency_code: str) -> list[BindingView]:
    """The agency's binding for incoming and for outgoing documents."""
    with reading(engine) as session:
        agency = managed_agency(session, admin_scope(session, actor_id, roles), agency_code)
        return [_view(session, agency, direction) for direction in DIRECTIONS]


def _bindable(session: Session, agency: Agency, direction: str, key: str, version: int) -> ProcessDefinition:
    """The deployed version (key, version), refused when unknown, not in force, of the other
    direction, or (outgoing) written for other agencies."""
    row = definition_repo.definition_version(session, key, version)
    if row is None:
        raise DomainError("process_version_unknown", key=key, version=version)
    if row.status != DefinitionStatus.PUBLISHED:
        raise DomainError("process_version_not_deployed", key=key, version=version)
    if row.body.get("kind") != direction:
        raise DomainError("process_wrong_direction", key=key, version=version)
    if direction == "outgoing" and not definition_repo.serves(row.body, agency.code):
        raise DomainError("process_not_for_agency", key=key, version=version, agency=agency.name)
    return row


def bind_process(engine: Engine, *, actor_id: int, roles: set[Role], agency_code: str, direction: str,
                 key: str, version: int) -> BindingView:
    """Bind a deployed version: the agency's new workflows of ``direction`` start with it."""
    direction = _direction(direction)
    refuse_unsafe_text(multiline=False, key=key)
    key = (key or "").strip()
    if not key or len(key) > 50:
        raise DomainError("invalid_fields", fields={"key": "required" if not key else "too_long"})
    if version < 1:
        raise DomainError("invalid_fields", fields={"version": "invalid"})
    with transaction(engine) as session:
        agency = configurable_agency(session, admin_scope(session, actor_id, roles), agency_code)
        _bindable(session, agency, direction, key, version)
        binding = definition_repo.binding_of(session, agency.id, direction)
        before = {"key": binding.key, "version": binding.version} if binding else None
        if before == {"key": key, "version": version}:
            return _view(session, agency, direction)
        definition_repo.bind(session, agency.id, direction, key, version, actor_id)
        session.flush()
        record(session, actor_id, "config.process_bound", "process_binding", f"{agency.code}:{direction}",
               agency=agency.code, direction=direction, before=before, after={"key": key, "version": version})
        return _view(session, agency, direction)


def unbind_process(engine: Engine, *, actor_id: int, roles: set[Role], agency_code: str,
                   direction: str) -> BindingView:
    """Drop the binding: the agency's new workflows follow the newest version again."""
    direction = _direction(direction)
    with transaction(engine) as session:
        agency = configurable_agency(session, admin_scope(session, actor_id, roles), agency_code)
        binding = definition_repo.binding_of(session, agency.id, direction)
        if binding is None:
            return _view(session, agency, direction)
        before = {"key": binding.key, "version": binding.version}
        definition_repo.unbind(session, agency.id, direction)
        session.flush()
        record(session, actor_id, "config.process_unbound", "process_binding", f"{agency.code}:{direction}",
               agency=agency.code, direction=direction, before=before, after=None)
        return _view(session, agency, direction)
