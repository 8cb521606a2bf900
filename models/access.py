"""The one chokepoint for "may this person see X" (STYLE habit 9).

A document belongs to the agency that registered or issues it; its people see it, nobody else.
Missing and forbidden look the same (404), so ids cannot be probed.
"""

from __future__ import annotations

from sqlmodel import Session

from models.documents import Document
from models.errors import NotFound
from models.org import User
from models.registers import Register


def document_for_user(session: Session, user: User, document_id: str) -> Document:
    """Return the document if ``user`` may see it; ``NotFound`` otherwise."""
    document = session.get(Document, document_id)
    if document is None or document.agency_id != user.agency_id:
        raise NotFound("document_not_found")
    return document


def register_for_user(session: Session, user: User, register_id: int) -> Register:
    """Return one of the user's agency registers; ``NotFound`` otherwise."""
    register = session.get(Register, register_id)
    if register is None or register.agency_id != user.agency_id:
        raise NotFound("register_not_found")
    return register
