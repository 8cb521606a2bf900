"""Helpers of the activity-tier tests of the organisation tree and its reorganisation."""

from __future__ import annotations

from sqlmodel import select

from commands import organisation as org_commands
from models.audit import AuditEvent
from models.db import transaction
from models.org.schema import AgencyInput
from models.vocab import AgencyKind, Role

ADMIN = {Role.SYSTEM_ADMIN}  # the province's administrator: the whole tree


def events(engine, code: str) -> list[AuditEvent]:
    """The audit events of one code."""
    with transaction(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.code == code)))


def new_agency(engine, admin, parent_id, code="000.00.02.H42", **extra) -> int:
    """A department of Ninh Bình created through the command (name and codes overridable)."""
    form = AgencyInput(code=code, qd20_code=extra.pop("qd20_code", ""), name=extra.pop("name", "Sở Nội vụ tỉnh Ninh Bình"),
                       abbreviation="SNV", kind=AgencyKind.DEPARTMENT, parent_id=parent_id, place_name="Ninh Bình",
                       **extra)
    return org_commands.create_agency(engine, actor_id=admin, roles=ADMIN, form=form)
