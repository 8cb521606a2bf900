"""Configuration an administrator changes: the shared checks, and an agency's registers (DOMAIN §4.5).

Shared by the administration pages and API v1, with one module per concept beside this one:
``configuration_types`` (document types, province-wide and an agency's own),
``configuration_processes`` (the process version an agency binds), ``configuration_hub`` (the
agency's identity on the hub), ``configuration_calendar`` (the working-day calendar). Registers
belong to an agency: its administrator manages its own, the province's administrator every
agency's (``models.org.people.managed_agencies``). Each write is one transaction with its audit
event; a refusal changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.audit import record
from models.db import reading, transaction, utcnow
from models.documents import types_repo
from models.errors import DomainError, Forbidden, NotFound
from models.org import people
from models.org import repo as account_repo
from models.org.tables import Agency, User
from models.registers import repo as register_repo
from models.registers.numbering import register_year
from models.registers.tables import Register
from models.text import refuse_unsafe_text
from models.vocab import RegisterKind, Role

# Phụ lục III abbreviations: a capital letter then letters (QĐ, KH, TrS); empty for Công văn.
ABBREVIATION = re.compile(r"^[A-ZĐ][A-Za-zĐđ]{0,9}$")


@dataclass
class RegisterView:
    """A register as pages and API v1 show it."""

    id: int
    agency_code: str
    kind: str
    name: str
    doc_types: list[str]
    active: bool


@dataclass
class AgencyChoice:
    """An agency an administrator may configure (the page's agency picker)."""

    code: str
    name: str


# --- the checks every configuration command shares --------------------------------------------

def admin_scope(session: Session, actor_id: int, roles: set[Role]) -> set[int] | None:
    """The agencies the actor administers (None: every agency); ``admin_only`` for anyone else."""
    actor = session.get(User, actor_id)
    if actor is None:
        raise Forbidden("admin_only")
    return people.managed_agencies(session, actor, roles)


def require_province_admin(session: Session, actor_id: int, roles: set[Role], refusal: str) -> None:
    """Refuse (403 ``refusal``) anyone but the province's administrator: the change reaches every agency."""
    if admin_scope(session, actor_id, roles) is not None:
        raise Forbidden(refusal)


def check_scope(scope: set[int] | None, agency_id: int) -> None:
    """Refuse (403) configuring an agency outside the administrator's agencies."""
    if scope is not None and agency_id not in scope:
        raise Forbidden("config_other_agency")


def managed_agency(session: Session, scope: set[int] | None, agency_code: str) -> Agency:
    """The agency of ``agency_code``, refused (403) outside the administrator's agencies."""
    agency = account_repo.agency_by_code(session, (agency_code or "").strip())
    if agency is None:
        raise NotFound("agency_not_found")
    check_scope(scope, agency.id)
    return agency


def configurable_agency(session: Session, scope: set[int] | None, agency_code: str) -> Agency:
    """A managed agency of this installation still in force: an agency reached through the hub, or
    one closed by a reorganisation, has no configuration of its own to change."""
    agency = managed_agency(session, scope, agency_code)
    if not agency.hosted or agency.valid_to is not None:
        raise DomainError("config_agency_not_configurable", agency=agency.name)
    return agency


def agency_choices(engine: Engine, *, actor_id: int, roles: set[Role]) -> list[AgencyChoice]:
    """The agencies of the installation in force that the actor administers, by code."""
    with reading(engine) as session:
        scope = admin_scope(session, actor_id, roles)
        actor = session.get(User, actor_id)
        agencies = [session.get(Agency, actor.agency_id), *account_repo.other_hosted_agencies(session, actor.agency_id)]
        return sorted((AgencyChoice(a.code, a.name) for a in agencies
                       if a.hosted and a.valid_to is None and (scope is None or a.id in scope)),
                      key=lambda choice: choice.code)


def clean_name(name: str, field: str, limit: int) -> str:
    """A one-line name: required, at most ``limit`` characters, no control characters."""
    refuse_unsafe_text(multiline=False, **{field: name})
    name = (name or "").strip()
    if not name:
        raise DomainError("invalid_fields", fields={field: "required"})
    if len(name) > limit:
        raise DomainError("invalid_fields", fields={field: "too_long"})
    return name


def clean_code(code: str) -> str:
    """A Phụ lục III abbreviation (QĐ, KH, TrS), or empty."""
    refuse_unsafe_text(multiline=False, code=code)
    code = (code or "").strip()
    if code and not ABBREVIATION.match(code):
        raise DomainError("invalid_fields", fields={"code": "abbreviation_form"})
    return code


# --- registers --------------------------------------------------------------------------------

def _register_view(session: Session, register: Register) -> RegisterView:
    agency = session.get(Agency, register.agency_id)
    return RegisterView(register.id, agency.code, str(register.kind), register.name, list(register.doc_types),
                        register.active)


def _register(session: Session, scope: set[int] | None, register_id: int) -> Register:
    register = session.get(Register, register_id)
    if register is None:
        raise NotFound("register_not_found")
    check_scope(scope, register.agency_id)
    return register


def _series_keys(session: Session, agency_id: int, keys: list[str], kind: RegisterKind) -> list[str]:
    """The series keys a register numbers: each must be the key of a type offered to the agency."""
    wanted = sorted({(k or "").strip() for k in keys if (k or "").strip()})
    if kind == RegisterKind.INCOMING:
        if wanted:
            raise DomainError("invalid_fields", fields={"doc_types": "invalid"})
        return []
    known = {t.series_key for t in types_repo.active_types(session, agency_id) if t.code
             and t.copy_form == (kind == RegisterKind.COPY)}
    if not wanted or any(k not in known for k in wanted):
        raise DomainError("invalid_fields", fields={"doc_types": "invalid"})
    return wanted


def open_register(session: Session, actor_id: int, agency: Agency, kind: RegisterKind, name: str,
                  keys: list[str]) -> Register:
    """Write a register and its audit event in the caller's transaction (name and keys checked)."""
    if register_repo.register_named(session, agency.id, kind, name) is not None:
        raise DomainError("config_register_name_taken", name=name)
    register = Register(agency_id=agency.id, kind=kind, name=name, doc_types=keys, active=True)
    session.add(register)
    session.flush()
    record(session, actor_id, "config.register_created", "register", register.id, agency=agency.code,
           kind=str(kind), name=name, doc_types=keys)
    return register


def list_registers(engine: Engine, *, actor_id: int, roles: set[Role], agency_code: str) -> list[RegisterView]:
    """An agency's registers, open and closed."""
    with reading(engine) as session:
        agency = managed_agency(session, admin_scope(session, actor_id, roles), agency_code)
        return [_register_view(session, r) for r in register_repo.registers_of(session, agency.id)]


def create_register(engine: Engine, *, actor_id: int, roles: set[Role], agency_code: str, kind: str, name: str,
                    doc_types: list[str]) -> RegisterView:
    """Open a register numbering the listed series keys (an outgoing or copy register needs at least one;
    the incoming register numbers everything, ND30 Điều 22.2)."""
    name = clean_name(name, "name", 200)
    refuse_unsafe_text(multiline=False, doc_types=" ".join(k or "" for k in doc_types))
    try:
        register_kind = RegisterKind(kind)
    except ValueError:
        raise DomainError("invalid_fields", fields={"kind": "enum"}) from None
    with transaction(engine) as session:
        agency = managed_agency(session, admin_scope(session, actor_id, roles), agency_code)
        keys = _series_keys(session, agency.id, doc_types, register_kind)
        return _register_view(session, open_register(session, actor_id, agency, register_kind, name, keys))


def rename_register(engine: Engine, *, actor_id: int, roles: set[Role], register_id: int, name: str) -> RegisterView:
    """Rename a register; its numbers stay. A default register keeps its name (numbering finds it by name)."""
    name = clean_name(name, "name", 200)
    with transaction(engine) as session:
        register = _register(session, admin_scope(session, actor_id, roles), register_id)
        if register.name == name:
            return _register_view(session, register)
        if register_repo.is_default_register(register):
            raise DomainError("config_register_default", name=register.name)
        if register_repo.register_named(session, register.agency_id, register.kind, name) is not None:
            raise DomainError("config_register_name_taken", name=name)
        before = register.name
        register.name = name
        session.add(register)
        session.flush()
        record(session, actor_id, "config.register_renamed", "register", register.id, before=before, after=name)
        return _register_view(session, register)


def close_register(engine: Engine, *, actor_id: int, roles: set[Role], register_id: int) -> RegisterView:
    """Close a register for new numbers; the numbers it allocated stay.

    Refused for a default register (numbering falls back to it by name) and for a register that
    numbered a series this year which no other open register continues: the year's series must
    run on without a break (ND30 Điều 15.1).
    """
    with transaction(engine) as session:
        register = _register(session, admin_scope(session, actor_id, roles), register_id)
        if not register.active:
            return _register_view(session, register)
        if register_repo.is_default_register(register):
            raise DomainError("config_register_default", name=register.name)
        year = register_year(utcnow())
        if register_repo.numbers_in_year(session, register.id, year):
            others = [r for r in register_repo.registers_of(session, register.agency_id, register.kind)
                      if r.active and r.id != register.id]
            orphaned = [k for k in register.doc_types if not any(k in r.doc_types for r in others)]
            if orphaned:
                raise DomainError("config_register_in_use", name=register.name, year=year,
                                  keys=", ".join(orphaned))
        register.active = False
        session.add(register)
        session.flush()
        record(session, actor_id, "config.register_closed", "register", register.id, name=register.name)
        return _register_view(session, register)
