"""Document type queries and the idempotent seeding of the standard list."""

from __future__ import annotations

from sqlmodel import Session, select

from models.db import insert_ignoring_conflict
from models.documents.types import DocumentType
from models.errors import NotFound


def active_types(session: Session) -> list[DocumentType]:
    """The types offered when drafting or registering, in the order of ND30 Điều 7."""
    return list(session.exec(
        select(DocumentType).where(DocumentType.active == True)  # noqa: E712
        .order_by(DocumentType.sort_order, DocumentType.id)))


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


def all_types(session: Session) -> list[DocumentType]:
    """Every type, active or not, in list order (the administration page)."""
    return list(session.exec(select(DocumentType).order_by(DocumentType.sort_order, DocumentType.id)))


def type_with_code(session: Session, code: str, legal_normative: bool, copy_form: bool) -> DocumentType | None:
    """The type using abbreviation ``code`` in the same kind of series, if any (two would clash in a ký hiệu)."""
    return session.exec(select(DocumentType).where(
        DocumentType.code == code, DocumentType.legal_normative == legal_normative,
        DocumentType.copy_form == copy_form)).first()


def next_sort_order(session: Session) -> int:
    """A sort order after every existing type, for a type an administrator adds."""
    last = session.exec(select(DocumentType.sort_order).order_by(DocumentType.sort_order.desc())).first()
    return (last or 0) + 10
