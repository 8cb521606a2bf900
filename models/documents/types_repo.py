"""Document type queries, an agency's choices among the province's types, and the idempotent
seeding of the standard list."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from models.db import insert_ignoring_conflict, utcnow
from models.documents.types import AgencyDocumentType, DocumentType
from models.errors import NotFound

ORDER = (DocumentType.sort_order, DocumentType.id)


def _turned_off(agency_id: int):
    """The province types the agency turned off (a sub-select of their ids)."""
    return select(AgencyDocumentType.document_type_id).where(
        AgencyDocumentType.agency_id == agency_id, AgencyDocumentType.offered == False)  # noqa: E712


def active_types(session: Session, agency_id: int | None = None) -> list[DocumentType]:
    """The types offered when drafting or registering, in the order of ND30 Điều 7.

    Without an agency: the province-wide list. For an agency: the province's types it has not
    turned off, and its own.
    """
    query = select(DocumentType).where(DocumentType.active == True)  # noqa: E712
    if agency_id is None:
        query = query.where(col(DocumentType.agency_id).is_(None))
    else:
        query = query.where(or_(col(DocumentType.agency_id).is_(None), DocumentType.agency_id == agency_id),
                            col(DocumentType.id).not_in(_turned_off(agency_id)))
    return list(session.exec(query.order_by(*ORDER)))


def offered_to(session: Session, doc_type: DocumentType, agency_id: int) -> bool:
    """Whether a new draft of ``agency_id`` may take ``doc_type``: active, and either the agency's
    own or a province type the agency has not turned off."""
    if not doc_type.active:
        return False
    if doc_type.agency_id is not None:
        return doc_type.agency_id == agency_id
    choice = session.get(AgencyDocumentType, (agency_id, doc_type.id))
    return choice is None or choice.offered


def turned_off_ids(session: Session, agency_id: int) -> set[int]:
    """The ids of the province types ``agency_id`` turned off."""
    return set(session.exec(_turned_off(agency_id)))


def set_offered(session: Session, agency_id: int, type_id: int, offered: bool, actor_id: int | None) -> None:
    """Record the agency's choice about a province type (the caller checked it is one)."""
    choice = session.get(AgencyDocumentType, (agency_id, type_id)) or AgencyDocumentType(
        agency_id=agency_id, document_type_id=type_id)
    choice.offered, choice.changed_by, choice.changed_at = offered, actor_id, utcnow()
    session.add(choice)


def type_by_id(session: Session, type_id: int) -> DocumentType:
    """One type; ``document_type_not_found`` when there is none."""
    doc_type = session.get(DocumentType, type_id)
    if doc_type is None:
        raise NotFound("document_type_not_found")
    return doc_type


def type_by_name(session: Session, name: str) -> DocumentType | None:
    """The type a document's ``type_name`` refers to, or None for a name not in the list
    (incoming documents may carry types of other sectors)."""
    return session.exec(select(DocumentType).where(DocumentType.name == name.strip())).first()


def seed_types(session: Session, rows: list[tuple[str, str, bool, bool]]) -> int:
    """Insert the missing types of ``rows`` (code, name, legal normative, copy form), numbering
    ``sort_order`` in list order; return how many were added.

    Keyed on the name: re-seeding adds nothing twice and never undoes an administrator's change
    (a deactivated type stays deactivated).
    """
    added = 0
    for order, (code, name, legal_normative, copy_form) in enumerate(rows, start=1):
        result = insert_ignoring_conflict(
            session, DocumentType.__table__,
            {"code": code, "name": name, "legal_normative": legal_normative, "copy_form": copy_form,
             "active": True, "sort_order": order * 10},
            ["name"])
        added += max(result.rowcount, 0)
    return added


def all_types(session: Session, agency_id: int | None = None) -> list[DocumentType]:
    """Every type, active or not, in list order (the administration page): the province-wide
    list, then, given an agency, that agency's own types."""
    query = select(DocumentType)
    if agency_id is None:
        query = query.where(col(DocumentType.agency_id).is_(None))
    else:
        query = query.where(or_(col(DocumentType.agency_id).is_(None), DocumentType.agency_id == agency_id))
    return list(session.exec(query.order_by(col(DocumentType.agency_id).is_not(None), *ORDER)))


def type_with_code(session: Session, code: str, legal_normative: bool, copy_form: bool,
                   owner: int | None = None) -> DocumentType | None:
    """A type that would share a series and a ký hiệu with a type of ``owner`` using ``code``.

    A province type (``owner`` None) is offered everywhere, so it clashes with every type using
    the abbreviation in the same kind of series; an agency's own type only with the province's
    types and the agency's other types.
    """
    query = select(DocumentType).where(DocumentType.code == code, DocumentType.legal_normative == legal_normative,
                                       DocumentType.copy_form == copy_form)
    if owner is not None:
        query = query.where(or_(col(DocumentType.agency_id).is_(None), DocumentType.agency_id == owner))
    return session.exec(query.order_by(DocumentType.id)).first()


def next_sort_order(session: Session) -> int:
    """A sort order after every existing type, for a type an administrator adds."""
    last = session.exec(select(DocumentType.sort_order).order_by(col(DocumentType.sort_order).desc())).first()
    return (last or 0) + 10
