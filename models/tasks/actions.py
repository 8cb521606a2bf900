"""The decisions a human step offers, and the fields each one takes.

The API lists these with every task, the web form renders them, and ``validate_fields`` checks a
submitted decision before it reaches the workflow, so bad input changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models.assignments.rules import parse_rating
from models.bounds import parse_id
from models.documents.tables import Document
from models.errors import DomainError
from models.org.tables import OrgUnit, User, UserRole
from models.text import text_problem
from models.vocab import Action, Direction, DocumentStatus, Role


@dataclass(frozen=True)
class ActionField:
    """One input of a decision."""

    name: str
    kind: str  # "text" | "unit" | "units" | "user" | "date" | "outgoing" (an outgoing document of the agency)
    #            | "server" (set by QLVB, never typed)
    #            | "rating" (1–5, or the words of models.assignments.rules.RATING_WORDS)
    required: bool = False
    max_length: int = 2000


@dataclass(frozen=True)
class ActionSpec:
    """Everything about one decision, in one place.

    ``status_after``: the document's status once the decision is applied (None leaves it);
    ``lead_status_after`` overrides it for a lead unit's step. ``sender_code``: the business status
    reported to the agency that sent the document (DOMAIN §8.3), with ``lead_sender_code`` for a
    lead unit's step. ``server_only``: only a dedicated request may make it (never a form).
    """

    lifecycle: str  # "incoming" | "outgoing" | "issuing" | "recall" | "record_plan": which activity records it
    label: str
    fields: tuple[ActionField, ...] = ()
    status_after: DocumentStatus | None = None
    lead_status_after: DocumentStatus | None = None
    sender_code: str | None = None
    lead_sender_code: str | None = None
    server_only: bool = False


OPINION = ActionField("opinion", "text")

ACTIONS: dict[Action, ActionSpec] = {
    # Leader directs the document to a lead unit, with cooperating units and a deadline
    # (Phiếu giải quyết văn bản đến, ND30 PL IV Mục VII).
    Action.DIRECT: ActionSpec(
        "incoming", "Giao xử lý", (
            ActionField("opinion", "text", required=True),
            ActionField("lead_unit_id", "unit", required=True),
            ActionField("cooperating_unit_ids", "units"),
            ActionField("due_date", "date"),
        ), status_after=DocumentStatus.DIRECTED, sender_code="04"),
    # Leader files the document for information only: nothing more will happen.
    Action.FILE_FOR_REFERENCE: ActionSpec("incoming", "Lưu tham khảo", (OPINION,),
                                          status_after=DocumentStatus.FILED_FOR_REFERENCE, sender_code="06"),
    # Unit head assigns a handler of the unit, with the person's own deadline (PL IV Mục VII.2);
    # for the lead unit handling has started.
    Action.ASSIGN: ActionSpec(
        "incoming", "Phân công", (
            ActionField("handler_id", "user", required=True),
            OPINION,
            ActionField("due_date", "date"),
        ), lead_status_after=DocumentStatus.IN_PROGRESS, lead_sender_code="05"),
    # The lead handler finishes with a result, optionally naming the outgoing reply (văn bản trả lời).
    Action.FINISH: ActionSpec(
        "incoming", "Hoàn thành",
        (ActionField("result", "text", required=True), ActionField("reply_document_id", "outgoing")),
        status_after=DocumentStatus.DONE, sender_code="06"),
    # A cooperating unit's handler sends its input to the lead.
    Action.SEND_OPINION: ActionSpec("incoming", "Gửi ý kiến phối hợp", (ActionField("opinion", "text", required=True),)),
    # A handler asks the agency leader for more time.
    Action.ASK_EXTENSION: ActionSpec("incoming", "Đề nghị gia hạn", (
        ActionField("new_due_date", "date", required=True),
        ActionField("reason", "text", required=True),
    )),
    Action.GRANT_EXTENSION: ActionSpec("incoming", "Đồng ý gia hạn", (OPINION,)),
    Action.REFUSE_EXTENSION: ActionSpec("incoming", "Không đồng ý gia hạn",
                                        (ActionField("opinion", "text", required=True),)),
    # The văn thư accepts a document whose signature failed, for reference only (registration
    # follows), or returns it to the sender with a reason (QĐ44 Điều 10.1.b).
    Action.ACCEPT_FOR_REFERENCE: ActionSpec("incoming", "Tiếp nhận để tham khảo", (OPINION,)),
    # A document another agency sent is accepted: registration follows at once.
    Action.REGISTER: ActionSpec("incoming", "Tiếp nhận, vào sổ", (OPINION,)),
    # A quarantined scan: try digitising again (after the cause is fixed).
    Action.RETRY_DIGITISING: ActionSpec("incoming", "Số hóa lại", (OPINION,)),
    Action.RETURN_TO_SENDER: ActionSpec(
        "incoming", "Trả lại nơi gửi", (ActionField("reason", "text", required=True, max_length=500),),
        status_after=DocumentStatus.RETURNED, sender_code="02"),
    # Outgoing drafts (issue 4): a consulted unit's or agency's opinion on the draft.
    Action.GIVE_OPINION: ActionSpec("outgoing", "Góp ý dự thảo", (ActionField("opinion", "text", required=True),)),
    # A review approves (with an optional remark) or sends the draft back with comments; a draft
    # sent back is the drafter's to edit again.
    Action.APPROVE: ActionSpec("outgoing", "Đồng ý", (ActionField("comment", "text"),)),
    Action.SEND_BACK: ActionSpec("outgoing", "Trả lại dự thảo", (ActionField("comment", "text", required=True),),
                                 status_after=DocumentStatus.DRAFT),
    # The drafter resubmits after revising.
    Action.RESUBMIT: ActionSpec("outgoing", "Trình lại", (ActionField("comment", "text"),),
                                status_after=DocumentStatus.IN_REVIEW),
    # The signer signed: the signed file is named by the signing request itself, never typed.
    Action.SIGN: ActionSpec("outgoing", "Ký số", (ActionField("file_sha256", "server", required=True),),
                            status_after=DocumentStatus.SIGNED, server_only=True),
    # The văn thư issues: numbering, date and agency signature are QLVB's work (issue_outgoing).
    Action.ISSUE: ActionSpec("issuing", "Ban hành", status_after=DocumentStatus.ISSUED),
    # The recipient's văn thư answers a recall (QĐ44 Điều 13.4.d): agree, or refuse with a reason.
    Action.AGREE_TO_RECALL: ActionSpec("recall", "Đồng ý thu hồi", (ActionField("note", "text", max_length=500),),
                                       status_after=DocumentStatus.RECALLED, sender_code="15"),
    Action.REFUSE_RECALL: ActionSpec("recall", "Từ chối thu hồi",
                                     (ActionField("reason", "text", required=True, max_length=500),),
                                     sender_code="16"),
    # Giao việc (workflows/assignment.py, recorded by activities/assignments.py, which also records
    # the requests for more time and the supporting contributions above).
    Action.NAME_LEAD: ActionSpec("assignment", "Cử người chủ trì", (
        ActionField("handler_id", "user", required=True), ActionField("note", "text", max_length=500))),
    Action.REPORT_RESULT: ActionSpec("assignment", "Báo cáo kết quả", (
        ActionField("result", "text", required=True, max_length=10_000),
        ActionField("result_document_id", "outgoing"))),
    Action.ACCEPT_RESULT: ActionSpec("assignment", "Đánh giá, công nhận kết quả", (
        ActionField("rating", "rating", required=True), ActionField("comment", "text"))),
    Action.RETURN_RESULT: ActionSpec("assignment", "Trả lại, yêu cầu làm tiếp",
                                     (ActionField("reason", "text", required=True),)),
    # The head of the agency on a Danh mục hồ sơ (ND30 Điều 28): approve (the plan, or its later
    # additions, is issued) or send it back with what to change; the plan has no document status.
    Action.APPROVE_PLAN: ActionSpec("record_plan", "Phê duyệt, ban hành", (ActionField("comment", "text"),)),
    Action.SEND_BACK_PLAN: ActionSpec("record_plan", "Trả lại để chỉnh sửa",
                                      (ActionField("reason", "text", required=True, max_length=500),)),
    # A hồ sơ (workflows/record_file.py; its own checks in models.records.decisions): the creator's
    # review ends in closing (the listing is QLVB's) or in more collecting, with why.
    Action.CLOSE_RECORD: ActionSpec("record", "Kết thúc, đóng hồ sơ", (ActionField("note", "text", max_length=500),)),
    Action.KEEP_COLLECTING: ActionSpec("record", "Tiếp tục lập hồ sơ",
                                       (ActionField("reason", "text", required=True, max_length=500),)),
    # The unit head on keeping a hồ sơ past its transfer date (ND30 Điều 31.2).
    Action.ALLOW_KEEPING: ActionSpec("record", "Đồng ý giữ lại", (OPINION,)),
    Action.REFUSE_KEEPING: ActionSpec("record", "Không đồng ý giữ lại",
                                      (ActionField("reason", "text", required=True, max_length=500),)),
    # The archive checks a transferred hồ sơ against the Danh mục: takes it (the condition goes in
    # the Biên bản giao nhận) or returns it to the unit with a reason.
    Action.ACCEPT_RECORD: ActionSpec("record", "Tiếp nhận vào lưu trữ",
                                     (ActionField("condition", "text", max_length=500),)),
    Action.RETURN_RECORD: ActionSpec("record", "Trả lại hồ sơ",
                                     (ActionField("reason", "text", required=True, max_length=500),)),
    # The head of the agency, for the council, when a fixed retention ended: destroy (files removed,
    # metadata and the decision kept) or keep it until a later date.
    Action.DISPOSE_RECORD: ActionSpec("record", "Hủy hồ sơ hết giá trị",
                                      (ActionField("decision", "text", required=True, max_length=500),)),
    Action.EXTEND_RETENTION: ActionSpec("record", "Kéo dài thời hạn bảo quản", (
        ActionField("retain_until", "date", required=True),
        ActionField("reason", "text", required=True, max_length=500))),
    # The head of the agency on a request to read a restricted hồ sơ of the archive (F-III.6.c).
    Action.GRANT_ACCESS: ActionSpec("record", "Đồng ý cho khai thác", (ActionField("until", "date"), OPINION)),
    Action.REFUSE_ACCESS: ActionSpec("record", "Không đồng ý cho khai thác",
                                     (ActionField("reason", "text", required=True, max_length=500),)),
    # The head of the agency on a weekly work schedule or a change to it (QĐ44 Điều 21.1.e): publish
    # (those concerned are told what changed), or send it back to the văn phòng with what to change.
    Action.APPROVE_SCHEDULE: ActionSpec("schedule", "Duyệt, ban hành lịch", (ActionField("comment", "text"),)),
    Action.RETURN_SCHEDULE: ActionSpec("schedule", "Trả lại lịch",
                                       (ActionField("reason", "text", required=True, max_length=1000),)),
}

# Views of the registry that pages, the API and the checks read.
ACTION_FIELDS: dict[str, tuple[ActionField, ...]] = {action: spec.fields for action, spec in ACTIONS.items()}
SERVER_ONLY_ACTIONS = frozenset(action for action, spec in ACTIONS.items() if spec.server_only)


def actions_of(lifecycle: str) -> frozenset[Action]:
    """The decisions one apply activity records (the others are refused, never retried)."""
    return frozenset(action for action, spec in ACTIONS.items() if spec.lifecycle == lifecycle)


def status_after(action: str, *, lead: bool = False) -> DocumentStatus | None:
    """The document's status after the decision (None: unchanged)."""
    spec = ACTIONS[Action(action)]
    return spec.lead_status_after if lead and spec.lead_status_after else spec.status_after


def sender_code(action: str, *, lead: bool = False) -> str | None:
    """The business status the decision reports to the sending agency (None: nothing to report)."""
    spec = ACTIONS[Action(action)]
    return spec.lead_sender_code if lead and spec.lead_sender_code else spec.sender_code


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
        elif (problem := text_problem(value)) is not None:
            errors[spec.name] = problem
        elif spec.kind in ("unit", "units"):
            ids = [part.strip() for part in value.split(",") if part.strip()]
            if spec.kind == "unit" and len(ids) != 1:
                errors[spec.name] = "invalid"
                continue
            if not all(parse_id(part) is not None for part in ids) or not units_belong(session, agency_id, ids):
                errors[spec.name] = "invalid"
                continue
            value = ",".join(ids)
        elif spec.kind == "user":
            if (user_id := parse_id(value)) is None or not _officer_of(session, agency_id, unit_id, user_id):
                errors[spec.name] = "invalid"
                continue
        elif spec.kind == "outgoing":
            reply = session.get(Document, value)
            if reply is None or reply.direction != Direction.OUTGOING or reply.agency_id != agency_id:
                errors[spec.name] = "invalid"
                continue
        elif spec.kind == "rating":
            rating = parse_rating(value)
            if rating is None:
                errors[spec.name] = "rating"
                continue
            value = str(rating)
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
