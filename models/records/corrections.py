"""Corrections of a hồ sơ's metadata (đính chính): a closed hồ sơ changes only this way, each
correction audited with what it was, what it became and why (ND30 Điều 29.4; F-III.5.d).

``clean_changes`` checks the input at the boundary (the command) and ``apply`` writes it (the
workflow's activity), so a refused correction changes nothing and reaches no workflow.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from models.errors import DomainError
from models.records import repo, rules
from models.records.lifecycle import record_event
from models.records.schema import CorrectionInput
from models.records.tables import RecordFile, RecordStatus

FIELDS = ("title", "maintenance", "rights", "description", "final_settlement")


def clean_changes(record: RecordFile, form: CorrectionInput) -> dict[str, str]:
    """The fields that really change, as text; ``record_correction_empty`` when none does."""
    wanted: dict[str, str] = {}
    if form.title is not None:
        wanted["title"] = form.title
    if form.maintenance is not None:
        wanted["maintenance"] = rules.retention(form.maintenance).text
    if form.rights is not None:
        wanted["rights"] = rules.clean_rights(form.rights)
    if form.description is not None:
        wanted["description"] = form.description
    if form.final_settlement is not None:
        if not record.construction:
            raise DomainError("invalid_fields", fields={"final_settlement": "invalid"})
        wanted["final_settlement"] = form.final_settlement.isoformat()
    changes = {name: value for name, value in wanted.items() if _current(record, name) != value}
    if not changes:
        raise DomainError("record_correction_empty")
    return changes


def _current(record: RecordFile, name: str) -> str:
    value = getattr(record, name)
    return value.isoformat() if isinstance(value, date) else (value or "")


def apply(session: Session, record: RecordFile, changes: dict[str, str], reason: str, actor_id: int | None,
          request_id: str) -> bool:
    """Write a checked correction and its audit event; False when nothing differs any more."""
    repo.lock(session, record)
    before = {name: _current(record, name) for name in changes if name in FIELDS}
    after = {name: value for name, value in changes.items() if name in FIELDS and before[name] != value}
    if not after:
        return False
    for name, value in after.items():
        setattr(record, name, date.fromisoformat(value) if name == "final_settlement" else value)
    if "final_settlement" in after and record.status != RecordStatus.OPEN:
        record.transfer_due = rules.transfer_due(record.end_date, record.construction, record.final_settlement)
    session.add(record)
    record_event(session, actor_id, "record.corrected", record, request_id=request_id, reason=reason,
                 before={name: before[name] for name in after}, after=after)
    return True
