"""The decisions a human step offers, and the fields each one takes.

The API lists these with every task, the web form renders them, and ``validate_fields`` checks a
submitted decision before it reaches the workflow, so bad input changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models.documents.tables import Document
from models.errors import DomainError
from models.org.tables import OrgUnit, User, UserRole
from models.vocab import Direction, Role


@dataclass(frozen=True)
class ActionField:
    """One input of a decision."""

    name: str
    kind: str  # "text" | "unit" | "units" | "user" | "date" | "outgoing" (an outgoing document of the agency)
    #            | "server" (set by QLVB, never typed)
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
    # Unit head assigns a handler of the unit, with the person's own deadline (PL IV Mục VII.2).
    "phan_cong": [
        ActionField("handler_id", "user", required=True),
        ActionField("opinion", "text"),
        ActionField("due_date", "date"),
    ],
    # The lead handler finishes with a result, optionally naming the outgoing reply (văn bản trả lời).
    "hoan_thanh": [ActionField("result", "text", required=True), ActionField("reply_document_id", "outgoing")],
    # A cooperating unit's handler sends its input to the lead.
    "gui_y_kien": [ActionField("opinion", "text", required=True)],
    # A handler asks the agency leader for more time.
    "xin_gia_han": [
        ActionField("new_due_date", "date", required=True),
        ActionField("reason", "text", required=True),
    ],
    "dong_y_gia_han": [ActionField("opinion", "text")],
    # The văn thư accepts a document whose signature failed, for reference only, or returns it
    # to the sender with a reason (QĐ44 Điều 10.1.b).
    "tiep_nhan": [ActionField("opinion", "text")],
    # A document another agency sent is accepted: registration follows at once.
    "vao_so": [ActionField("opinion", "text")],
    # A quarantined scan: try digitising again (after the cause is fixed) or return it.
    "thu_lai": [ActionField("opinion", "text")],
    "tra_lai": [ActionField("reason", "text", required=True, max_length=500)],
    "tu_choi_gia_han": [ActionField("opinion", "text", required=True)],
    # Outgoing drafts (issue 4): a consulted unit's or agency's opinion on the draft.
    "gop_y": [ActionField("opinion", "text", required=True)],
    # A review approves (with an optional remark) or sends the draft back with comments.
    "duyet": [ActionField("comment", "text")],
    "tra_lai_du_thao": [ActionField("comment", "text", required=True)],
    # The drafter resubmits after revising.
    "trinh_lai": [ActionField("comment", "text")],
    # The signer signed: the signed file is named by the signing request itself, never typed.
    "ky_so": [ActionField("file_sha256", "server", required=True)],
    # The văn thư issues: numbering, date and agency signature are QLVB's work.
    "ban_hanh": [],
    # The recipient's văn thư answers a recall (QĐ44 Điều 13.4.d): agree, or refuse with a reason.
    "dong_y_thu_hoi": [ActionField("note", "text", max_length=500)],
    "tu_choi_thu_hoi": [ActionField("reason", "text", required=True, max_length=500)],
}
# Decisions that only a dedicated request can make (signing goes through the signing providers).
SERVER_ONLY_ACTIONS = {"ky_so"}


def validate_fields(session: Session, agency_id: int, action: str, fields: dict,
                    unit_id: int | None = None) -> dict[str, str]:
    """Check a decision's fields; return them normalised to strings, or raise ``invalid_fields``.

    Unit references must be units of the deciding agency; a person must be an officer of the
    step's unit; dates are ISO ``YYYY-MM-DD`` and not in the past.
    """
    if action not in ACTION_FIELDS:
        raise DomainError("action_not_allowed")
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    known = {spec.name for spec in ACTION_FIELDS[action]}
    server = {spec.name for spec in ACTION_FIELDS[action] if spec.kind == "server"}
    for name in fields:
        if name not in known or name in server:
            errors[name] = "unknown"
    for spec in ACTION_FIELDS[action]:
        if spec.kind == "server":
            continue
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
            if not all(part.isdigit() for part in ids) or not units_belong(session, agency_id, ids):
                errors[spec.name] = "invalid"
                continue
            value = ",".join(ids)
        elif spec.kind == "user":
            if not value.isdigit() or not _officer_of(session, agency_id, unit_id, int(value)):
                errors[spec.name] = "invalid"
                continue
        elif spec.kind == "outgoing":
            reply = session.get(Document, value)
            if reply is None or reply.direction != Direction.OUTGOING or reply.agency_id != agency_id:
                errors[spec.name] = "invalid"
                continue
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


def _officer_of(session: Session, agency_id: int, unit_id: int | None, user_id: int) -> bool:
    user = session.get(User, user_id)
    if user is None or user.agency_id != agency_id or user.disabled:
        return False
    if unit_id is not None and user.unit_id != unit_id:
        return False
    return session.exec(select(UserRole).where(UserRole.user_id == user_id,
                                               UserRole.role == Role.OFFICER)).first() is not None


def officers_of_unit(session: Session, unit_id: int) -> list[User]:
    """The people a unit head can assign work to."""
    return list(session.exec(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.unit_id == unit_id, UserRole.role == Role.OFFICER, User.disabled == False)  # noqa: E712
        .order_by(User.full_name)
    ))


def units_belong(session: Session, agency_id: int, ids: list[str]) -> bool:
    found = session.exec(
        select(OrgUnit.id).where(OrgUnit.agency_id == agency_id, OrgUnit.id.in_([int(i) for i in ids]))
    ).all()
    return len(set(found)) == len(set(ids))
