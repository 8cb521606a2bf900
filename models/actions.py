"""The decisions a human step offers, and the fields each one takes.

The API lists these with every task, the web form renders them, and ``validate_fields`` checks a
submitted decision before it reaches the workflow, so bad input changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models.errors import DomainError
from models.org import OrgUnit


@dataclass(frozen=True)
class ActionField:
    """One input of a decision."""

    name: str
    kind: str  # "text" | "unit" | "units" | "date"
    required: bool = False
    max_length: int = 2000


ACTION_FIELDS: dict[str, list[ActionField]] = {
    # Leader directs the document to a lead unit, with cooperating units and a deadline
    # (Phiếu giải quyết văn bản đến, ND30 PL IV Mục VII).
    "giao_xu_ly": [
        ActionField("opinion", "text", required=True),
        ActionField("lead_unit_id", "unit", required=True),
        ActionField("cooperating_unit_ids", "units"),
        ActionField("due_date", "date"),
    ],
    # Leader files the document for information only: no handling needed.
    "luu_tham_khao": [ActionField("opinion", "text")],
}


def validate_fields(session: Session, agency_id: int, action: str, fields: dict) -> dict[str, str]:
    """Check a decision's fields; return them normalised to strings, or raise ``invalid_fields``.

    Unit references must be units of the deciding agency; dates are ISO ``YYYY-MM-DD`` and not
    in the past.
    """
    if action not in ACTION_FIELDS:
        raise DomainError("action_not_allowed")
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    known = {spec.name for spec in ACTION_FIELDS[action]}
    for name in fields:
        if name not in known:
            errors[name] = "unknown"
    for spec in ACTION_FIELDS[action]:
        raw = fields.get(spec.name)
        if isinstance(raw, list):
            raw = ",".join(str(item) for item in raw)
        value = "" if raw is None else str(raw).strip()
        if not value:
            if spec.required:
                errors[spec.name] = "required"
            continue
        if spec.kind == "text" and len(value) > spec.max_length:
            errors[spec.name] = "too_long"
        elif spec.kind in ("unit", "units"):
            ids = [part.strip() for part in value.split(",") if part.strip()]
            if spec.kind == "unit" and len(ids) != 1:
                errors[spec.name] = "invalid"
                continue
            if not all(part.isdigit() for part in ids) or not _units_belong(session, agency_id, ids):
                errors[spec.name] = "invalid"
                continue
            value = ",".join(ids)
        elif spec.kind == "date":
            try:
                if date.fromisoformat(value) < date.today():
                    errors[spec.name] = "past_date"
            except ValueError:
                errors[spec.name] = "invalid"
        clean[spec.name] = value
    if errors:
        raise DomainError("invalid_fields", fields=errors)
    return clean


def _units_belong(session: Session, agency_id: int, ids: list[str]) -> bool:
    found = session.exec(
        select(OrgUnit.id).where(OrgUnit.agency_id == agency_id, OrgUnit.id.in_([int(i) for i in ids]))
    ).all()
    return len(set(found)) == len(set(ids))
