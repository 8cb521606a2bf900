"""Document types (ND30 Điều 7, Phụ lục III; DOMAIN §4.1): the province's list and each agency's.

The province's administrator keeps the province-wide list: adds, renames and deactivates its
types. An agency's administrator decides which of them the agency's drafters are offered (turning
one off touches no other agency) and adds types of the agency's own, such as the specialised
documents of its sector, each optionally numbered in a series of its own (a register opened with
it). A type is never deleted: documents name it. Names are unique across the province, since a
document sent between agencies carries its type's name; an abbreviation is unique among the
types one agency is offered, since it starts their ký hiệu and names their series.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from commands.configuration import (
    admin_scope,
    check_scope,
    clean_code,
    clean_name,
    configurable_agency,
    managed_agency,
    open_register,
)
from models.audit import record
from models.db import reading, transaction
from models.documents import types_repo
from models.documents.types import DocumentType
from models.errors import DomainError, Forbidden
from models.org.tables import Agency
from models.registers import repo as register_repo
from models.vocab import RegisterKind, Role

OWN_SERIES_REGISTER = "Sổ đăng ký {name}"


@dataclass
class TypeView:
    """A document type as pages and API v1 show it.

    ``agency_code`` is empty for a province-wide type; ``offered`` says whether drafters are
    offered it (of the agency listed, or anywhere for the province-wide list).
    """

    id: int
    name: str
    code: str
    series_key: str
    legal_normative: bool
    copy_form: bool
    active: bool
    agency_code: str
    offered: bool


def _view(session: Session, doc_type: DocumentType, offered: bool | None = None) -> TypeView:
    owner = session.get(Agency, doc_type.agency_id) if doc_type.agency_id else None
    return TypeView(doc_type.id, doc_type.name, doc_type.code, doc_type.series_key, doc_type.legal_normative,
                    doc_type.copy_form, doc_type.active, owner.code if owner else "",
                    doc_type.active if offered is None else offered)


def _values(doc_type: DocumentType) -> dict:
    return {"name": doc_type.name, "code": doc_type.code}


def _may_change(session: Session, actor_id: int, roles: set[Role], doc_type: DocumentType) -> None:
    """A province type is the province's administrator's; an agency's own type its administrator's."""
    scope = admin_scope(session, actor_id, roles)
    if doc_type.agency_id is None:
        if scope is not None:
            raise Forbidden("config_types_province_only")
    else:
        check_scope(scope, doc_type.agency_id)


def _check_unique(session: Session, doc_type: DocumentType, name: str, code: str) -> None:
    same_name = types_repo.type_by_name(session, name)
    if same_name is not None and same_name.id != doc_type.id:
        raise DomainError("config_type_name_taken", name=name)
    if code:
        same_code = types_repo.type_with_code(session, code, doc_type.legal_normative, doc_type.copy_form,
                                              doc_type.agency_id)
        if same_code is not None and same_code.id != doc_type.id:
            raise DomainError("config_type_code_taken", abbreviation=code, name=same_code.name)


def list_types(engine: Engine, *, actor_id: int, roles: set[Role], agency_code: str | None = None) -> list[TypeView]:
    """The province-wide list, active or not; given an agency, with whether the agency offers each,
    then the agency's own types."""
    with reading(engine) as session:
        scope = admin_scope(session, actor_id, roles)
        if not agency_code:
            return [_view(session, t) for t in types_repo.all_types(session)]
        agency = managed_agency(session, scope, agency_code)
        off = types_repo.turned_off_ids(session, agency.id)
        return [_view(session, t, t.active and t.id not in off) for t in types_repo.all_types(session, agency.id)]


def create_type(engine: Engine, *, actor_id: int, roles: set[Role], name: str, code: str,
                legal_normative: bool = False, copy_form: bool = False, agency_code: str | None = None,
                own_series: bool = False) -> TypeView:
    """Add a type, offered at once when drafting and registering.

    Without ``agency_code``: to the province-wide list (the province's administrator only). With
    it: to that agency alone, an administrative type numbered in the general series or, with
    ``own_series``, in a register opened for it in the same transaction.
    """
    name, code = clean_name(name, "name", 100), clean_code(code)
    if legal_normative and copy_form:
        raise DomainError("invalid_fields", fields={"copy_form": "invalid"})
    if agency_code and (legal_normative or copy_form):
        # Legal normative documents and copies keep the province's series rules (ND30 Điều 15.2).
        raise DomainError("invalid_fields", fields={"legal_normative" if legal_normative else "copy_form": "invalid"})
    if own_series and not agency_code:
        raise DomainError("invalid_fields", fields={"own_series": "invalid"})
    if own_series and not code:
        raise DomainError("invalid_fields", fields={"code": "required_for_series"})
    with transaction(engine) as session:
        scope = admin_scope(session, actor_id, roles)
        agency = configurable_agency(session, scope, agency_code) if agency_code else None
        if agency is None and scope is not None:
            raise Forbidden("config_types_province_only")
        doc_type = DocumentType(name=name, code=code, legal_normative=legal_normative, copy_form=copy_form,
                                active=True, sort_order=types_repo.next_sort_order(session),
                                agency_id=agency.id if agency else None)
        _check_unique(session, doc_type, name, code)
        session.add(doc_type)
        session.flush()
        record(session, actor_id, "config.type_created", "document_type", doc_type.id, name=name, abbreviation=code,
               legal_normative=legal_normative, copy_form=copy_form, agency=agency.code if agency else None,
               before=None, after={**_values(doc_type), "own_series": own_series})
        if own_series:
            open_register(session, actor_id, agency, RegisterKind.OUTGOING,
                          OWN_SERIES_REGISTER.format(name=name)[:200], [doc_type.series_key])
        return _view(session, doc_type)


def change_type(engine: Engine, *, actor_id: int, roles: set[Role], type_id: int, name: str | None = None,
                code: str | None = None) -> TypeView:
    """Rename a type or change its abbreviation (and so the series key registers number it under).

    Documents already numbered keep their ký hiệu. The abbreviation is not changed while a
    register of an agency offered the type still lists the old key, so no series silently loses
    a type.
    """
    new_name = clean_name(name, "name", 100) if name is not None else None
    new_code = clean_code(code) if code is not None else None
    with transaction(engine) as session:
        doc_type = types_repo.type_by_id(session, type_id)
        _may_change(session, actor_id, roles, doc_type)
        before = _values(doc_type)
        target_name = new_name if new_name is not None else doc_type.name
        target_code = new_code if new_code is not None else doc_type.code
        _check_unique(session, doc_type, target_name, target_code)
        if target_code != doc_type.code and doc_type.code:
            claiming = [r.name for r in register_repo.registers_listing(session, doc_type.series_key)
                        if doc_type.agency_id in (None, r.agency_id)]
            if claiming:
                raise DomainError("config_type_code_in_register", registers=", ".join(claiming))
        if before == {"name": target_name, "code": target_code}:
            return _view(session, doc_type)
        doc_type.name, doc_type.code = target_name, target_code
        session.add(doc_type)
        session.flush()
        record(session, actor_id, "config.type_changed", "document_type", doc_type.id, before=before,
               after=_values(doc_type))
        return _view(session, doc_type)


def set_type_active(engine: Engine, *, actor_id: int, roles: set[Role], type_id: int, active: bool) -> TypeView:
    """Deactivate (no longer offered for new drafts; drafts already open keep it) or reactivate a type."""
    with transaction(engine) as session:
        doc_type = types_repo.type_by_id(session, type_id)
        _may_change(session, actor_id, roles, doc_type)
        if doc_type.active == active:
            return _view(session, doc_type)
        doc_type.active = active
        session.add(doc_type)
        session.flush()
        record(session, actor_id, "config.type_activated" if active else "config.type_deactivated",
               "document_type", doc_type.id, name=doc_type.name, before={"active": not active},
               after={"active": active})
        return _view(session, doc_type)


def set_type_offered(engine: Engine, *, actor_id: int, roles: set[Role], agency_code: str, type_id: int,
                     offered: bool) -> TypeView:
    """Turn a province type off (or on again) for one agency's new drafts; other agencies keep theirs.

    Drafts already open keep the type. An agency's own type is deactivated instead
    (``set_type_active``).
    """
    with transaction(engine) as session:
        agency = configurable_agency(session, admin_scope(session, actor_id, roles), agency_code)
        doc_type = types_repo.type_by_id(session, type_id)
        if doc_type.agency_id is not None:
            raise DomainError("config_type_not_province", name=doc_type.name)
        # The agency's own choice, apart from the province deactivating the type for everyone.
        was = doc_type.id not in types_repo.turned_off_ids(session, agency.id)
        if was == offered:
            return _view(session, doc_type, doc_type.active and offered)
        types_repo.set_offered(session, agency.id, doc_type.id, offered, actor_id)
        session.flush()
        record(session, actor_id, "config.type_offered" if offered else "config.type_turned_off", "document_type",
               doc_type.id, name=doc_type.name, agency=agency.code, before={"offered": was},
               after={"offered": offered})
        return _view(session, doc_type, doc_type.active and offered)
