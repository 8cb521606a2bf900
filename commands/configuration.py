"""Configuration an administrator changes: document types and registers (DOMAIN §4.1, §4.5).

Shared by the administration pages and API v1. Document types are one list for the whole
province (``document_type`` has no agency), so only the province's administrator changes them;
an agency's administrator reads them. Registers belong to an agency: its administrator manages
its own, the province's administrator every agency's (``models.org.people.managed_agencies``).
Each write is one transaction with its audit event; a refusal changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.audit import record
from models.db import reading, transaction, utcnow
from models.documents import types_repo
from models.documents.types import DocumentType
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
class TypeView:
    """A document type as pages and API v1 show it."""

    id: int
    name: str
    code: str
    series_key: str
    legal_normative: bool
    copy_form: bool
    active: bool


@dataclass
class RegisterView:
    """A register as pages and API v1 show it."""

    id: int
    agency_code: str
    kind: str
    name: str
    doc_types: list[str]
    active: bool


def _scope(session: Session, actor_id: int, roles: set[Role]) -> set[int] | None:
    if session.get(User, actor_id) is None:
        raise Forbidden("admin_only")
    return people.managed_agencies(session, session.get(User, actor_id), roles)


def _type_view(doc_type: DocumentType) -> TypeView:
    return TypeView(doc_type.id, doc_type.name, doc_type.code, doc_type.series_key, doc_type.legal_normative,
                    doc_type.copy_form, doc_type.active)


def _register_view(session: Session, register: Register) -> RegisterView:
    agency = session.get(Agency, register.agency_id)
    return RegisterView(register.id, agency.code, str(register.kind), register.name, list(register.doc_types),
                        register.active)


def _clean_name(name: str, field: str, limit: int) -> str:
    refuse_unsafe_text(multiline=False, **{field: name})
    name = (name or "").strip()
    if not name:
        raise DomainError("invalid_fields", fields={field: "required"})
    if len(name) > limit:
        raise DomainError("invalid_fields", fields={field: "too_long"})
    return name


def _clean_code(code: str) -> str:
    refuse_unsafe_text(multiline=False, code=code)
    code = (code or "").strip()
    if code and not ABBREVIATION.match(code):
        raise DomainError("invalid_fields", fields={"code": "abbreviation_form"})
    return code


# --- document types ---------------------------------------------------------------------------

def list_types(engine: Engine, *, actor_id: int, roles: set[Role]) -> list[TypeView]:
    """Every type, active or not."""
    with reading(engine) as session:
        _scope(session, actor_id, roles)
        return [_type_view(t) for t in types_repo.all_types(session)]


def _province_admin(session: Session, actor_id: int, roles: set[Role]) -> None:
    if _scope(session, actor_id, roles) is not None:
        raise Forbidden("config_types_province_only")


def _check_unique(session: Session, doc_type: DocumentType, name: str, code: str) -> None:
    same_name = types_repo.type_by_name(session, name)
    if same_name is not None and same_name.id != doc_type.id:
        raise DomainError("config_type_name_taken", name=name)
    if code:
        same_code = types_repo.type_with_code(session, code, doc_type.legal_normative, doc_type.copy_form)
        if same_code is not None and same_code.id != doc_type.id:
            raise DomainError("config_type_code_taken", abbreviation=code, name=same_code.name)


def create_type(engine: Engine, *, actor_id: int, roles: set[Role], name: str, code: str,
                legal_normative: bool = False, copy_form: bool = False) -> TypeView:
    """Add a type, offered at once when drafting and registering."""
    name, code = _clean_name(name, "name", 100), _clean_code(code)
    if legal_normative and copy_form:
        raise DomainError("invalid_fields", fields={"copy_form": "invalid"})
    with transaction(engine) as session:
        _province_admin(session, actor_id, roles)
        doc_type = DocumentType(name=name, code=code, legal_normative=legal_normative, copy_form=copy_form,
                                active=True, sort_order=types_repo.next_sort_order(session))
        _check_unique(session, doc_type, name, code)
        session.add(doc_type)
        session.flush()
        record(session, actor_id, "config.type_created", "document_type", doc_type.id, name=name, abbreviation=code,
               legal_normative=legal_normative, copy_form=copy_form)
        return _type_view(doc_type)


def change_type(engine: Engine, *, actor_id: int, roles: set[Role], type_id: int, name: str | None = None,
                code: str | None = None) -> TypeView:
    """Rename a type or change its abbreviation (and so the series key registers number it under).

    Documents already numbered keep their ký hiệu; registers listing the old key are told in the
    audit event, and the change is refused while a register still lists the old key, so no
    series silently loses a type.
    """
    new_name = _clean_name(name, "name", 100) if name is not None else None
    new_code = _clean_code(code) if code is not None else None
    with transaction(engine) as session:
        _province_admin(session, actor_id, roles)
        doc_type = types_repo.type_by_id(session, type_id)
        before = {"name": doc_type.name, "code": doc_type.code}
        target_name = new_name if new_name is not None else doc_type.name
        target_code = new_code if new_code is not None else doc_type.code
        _check_unique(session, doc_type, target_name, target_code)
        if target_code != doc_type.code and doc_type.code:
            claiming = [r.name for r in register_repo.registers_listing(session, doc_type.series_key)]
            if claiming:
                raise DomainError("config_type_code_in_register", registers=", ".join(claiming))
        if before == {"name": target_name, "code": target_code}:
            return _type_view(doc_type)
        doc_type.name, doc_type.code = target_name, target_code
        session.add(doc_type)
        session.flush()
        record(session, actor_id, "config.type_changed", "document_type", doc_type.id, before=before,
               after={"name": target_name, "code": target_code})
        return _type_view(doc_type)


def set_type_active(engine: Engine, *, actor_id: int, roles: set[Role], type_id: int, active: bool) -> TypeView:
    """Deactivate (no longer offered for new drafts; drafts already open keep it) or reactivate a type.

    A type is never deleted: documents name it.
    """
    with transaction(engine) as session:
        _province_admin(session, actor_id, roles)
        doc_type = types_repo.type_by_id(session, type_id)
        if doc_type.active == active:
            return _type_view(doc_type)
        doc_type.active = active
        session.add(doc_type)
        session.flush()
        record(session, actor_id, "config.type_activated" if active else "config.type_deactivated",
               "document_type", doc_type.id, name=doc_type.name)
        return _type_view(doc_type)


# --- registers --------------------------------------------------------------------------------

def _agency(session: Session, scope: set[int] | None, agency_code: str) -> Agency:
    agency = account_repo.agency_by_code(session, (agency_code or "").strip())
    if agency is None:
        raise NotFound("agency_not_found")
    people.check_managed(scope, agency.id)
    return agency


def _register(session: Session, scope: set[int] | None, register_id: int) -> Register:
    register = session.get(Register, register_id)
    if register is None:
        raise NotFound("register_not_found")
    people.check_managed(scope, register.agency_id)
    return register


def _series_keys(session: Session, keys: list[str], kind: RegisterKind) -> list[str]:
    """The series keys a register numbers: each must be an active type's key of that kind."""
    wanted = sorted({(k or "").strip() for k in keys if (k or "").strip()})
    if kind == RegisterKind.INCOMING:
        if wanted:
            raise DomainError("invalid_fields", fields={"doc_types": "invalid"})
        return []
    known = {t.series_key for t in types_repo.active_types(session) if t.code
             and t.copy_form == (kind == RegisterKind.COPY)}
    if not wanted or any(k not in known for k in wanted):
        raise DomainError("invalid_fields", fields={"doc_types": "invalid"})
    return wanted


def list_registers(engine: Engine, *, actor_id: int, roles: set[Role], agency_code: str) -> list[RegisterView]:
    """An agency's registers, open and closed."""
    with reading(engine) as session:
        agency = _agency(session, _scope(session, actor_id, roles), agency_code)
        return [_register_view(session, r) for r in register_repo.registers_of(session, agency.id)]


def create_register(engine: Engine, *, actor_id: int, roles: set[Role], agency_code: str, kind: str, name: str,
                    doc_types: list[str]) -> RegisterView:
    """Open a register numbering the listed series keys (an outgoing or copy register needs at least one;
    the incoming register numbers everything, ND30 Điều 22.2)."""
    name = _clean_name(name, "name", 200)
    refuse_unsafe_text(multiline=False, doc_types=" ".join(k or "" for k in doc_types))
    try:
        register_kind = RegisterKind(kind)
    except ValueError:
        raise DomainError("invalid_fields", fields={"kind": "enum"}) from None
    with transaction(engine) as session:
        agency = _agency(session, _scope(session, actor_id, roles), agency_code)
        keys = _series_keys(session, doc_types, register_kind)
        if register_repo.register_named(session, agency.id, register_kind, name) is not None:
            raise DomainError("config_register_name_taken", name=name)
        register = Register(agency_id=agency.id, kind=register_kind, name=name, doc_types=keys, active=True)
        session.add(register)
        session.flush()
        record(session, actor_id, "config.register_created", "register", register.id, agency=agency.code,
               kind=str(register_kind), name=name, doc_types=keys)
        return _register_view(session, register)


def rename_register(engine: Engine, *, actor_id: int, roles: set[Role], register_id: int, name: str) -> RegisterView:
    """Rename a register; its numbers stay. A default register keeps its name (numbering finds it by name)."""
    name = _clean_name(name, "name", 200)
    with transaction(engine) as session:
        register = _register(session, _scope(session, actor_id, roles), register_id)
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
        register = _register(session, _scope(session, actor_id, roles), register_id)
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
