"""What the province supervisor's reading leaves behind: every document or assignment they open
through the supervision pages is audited, each time (no quiet window as for the agency's own
readers), since it is a read across agencies (ND30 PL VI III.6.l;
``models.documents.access.supervised_document``, ``models.assignments.repo.supervised_assignment``)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from commands.audit import read_anew
from models import audit
from models.db import transaction
from models.documents.repo import ACCESS_EVENTS

VIEWED, _ = ACCESS_EVENTS


def document_supervised(engine: Engine, user_id: int, document_id: str, *, agency_id: int,
                        reader: Session | None = None) -> None:
    """Record that the supervisor opened another agency's document, read only; ``reader``, the page's
    read-only session, then sees the view among the document's readers (``commands.audit.read_anew``)."""
    with transaction(engine) as session:
        audit.record(session, user_id, VIEWED, "document", document_id, via="giam_sat", agency_id=agency_id)
    if reader is not None:
        read_anew(reader)


def assignment_supervised(engine: Engine, user_id: int, assignment_id: int, *, agency_id: int) -> None:
    """Record that the supervisor opened another agency's assignment, read only. Kept outside the
    assignment's own history (its subject is the supervision, not the assignment), as document views
    are kept out of a document's processing history."""
    with transaction(engine) as session:
        audit.record(session, user_id, "assignment.viewed", "supervision", f"assignment:{assignment_id}",
                     via="giam_sat", agency_id=agency_id, assignment_id=assignment_id)
