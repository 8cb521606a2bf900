"""Who sees which document: the fixed cast of văn thư, leader, unit leader, officer, outsider."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.db import transaction, utcnow
from models.documents.access import document_for_user, visible_documents
from models.documents.tables import Assignment, Document
from models.errors import NotFound
from models.org.repo import get_by_username, roles_of
from models.org.tables import OrgUnit
from models.vocab import AssignmentRole, Direction


def _document(session, agency_id: int, created_by: int) -> Document:
    document = Document(id=f"doc-{utcnow().timestamp()}", direction=Direction.INCOMING, agency_id=agency_id,
                        created_by=created_by, subject="V/v thử quyền xem")
    session.add(document)
    session.flush()
    return document


def test_it_shows_documents_by_role_and_routing(seeded):
    with transaction(seeded) as session:
        cast = {name: get_by_username(session, name) for name in
                ("vanthu", "lanhdao", "truongphong", "chuyenvien", "vanthu.snv")}
        roles = {name: roles_of(session, user.id) for name, user in cast.items()}
        document = _document(session, cast["vanthu"].agency_id, cast["vanthu"].id)

        def sees(name: str) -> bool:
            found = session.exec(select(Document.id).where(
                Document.id == document.id, visible_documents(cast[name], roles[name]))).first()
            return found is not None

        assert sees("vanthu") and sees("lanhdao")
        assert not sees("truongphong") and not sees("chuyenvien") and not sees("vanthu.snv")

        unit = session.exec(select(OrgUnit).where(OrgUnit.id == cast["truongphong"].unit_id)).one()
        session.add(Assignment(document_id=document.id, role=AssignmentRole.LEAD, unit_id=unit.id,
                               assigned_by=cast["lanhdao"].id))
        session.flush()
        assert sees("truongphong") and not sees("chuyenvien")

        session.add(Assignment(document_id=document.id, role=AssignmentRole.INFORM,
                               user_id=cast["chuyenvien"].id, assigned_by=cast["truongphong"].id))
        session.flush()
        assert sees("chuyenvien")
        assert not sees("vanthu.snv")
        with pytest.raises(NotFound):
            document_for_user(session, cast["vanthu.snv"], document.id, roles["vanthu.snv"])
