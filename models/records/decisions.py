"""What a decision on a hồ sơ's step needs besides its fields, checked before it reaches the
workflow (``commands.tasks`` calls ``check_decision`` for every step about a hồ sơ), so a refused
decision changes nothing and the step stays open.

The workflow validator knows only the process; these checks read the hồ sơ as it is now: closing
refuses drafts and duplicates (ND30 Điều 29.4), and a frozen hồ sơ is neither moved nor destroyed
(F-IV.1.g).
"""

from __future__ import annotations

from sqlmodel import Session

from models.errors import Conflict, DomainError
from models.records import items_repo, rules
from models.records.tables import RecordFile, RecordStatus
from models.vocab import Action

# The state each decision expects the hồ sơ in (the step cannot be open otherwise; a correction or
# a freeze in between is what these catch).
EXPECTED = {
    Action.CLOSE_RECORD: RecordStatus.OPEN,
    Action.KEEP_COLLECTING: RecordStatus.OPEN,
    Action.ALLOW_KEEPING: RecordStatus.CLOSED,
    Action.REFUSE_KEEPING: RecordStatus.CLOSED,
    Action.ACCEPT_RECORD: RecordStatus.TRANSFERRING,
    Action.RETURN_RECORD: RecordStatus.TRANSFERRING,
}
# Decisions that edit, move or destroy the hồ sơ: refused while it is frozen.
CHANGES_IT = {Action.CLOSE_RECORD, Action.ALLOW_KEEPING, Action.ACCEPT_RECORD, Action.DISPOSE_RECORD,
              Action.EXTEND_RETENTION}


def check_decision(session: Session, record_id: int, action: str) -> None:
    """Refuse a decision the hồ sơ is not ready for, in Vietnamese (see the module docstring)."""
    record = session.get(RecordFile, record_id)
    if record is None:
        raise DomainError("record_not_found")
    if record.status == RecordStatus.DISPOSED:
        raise Conflict("record_disposed")
    if action in CHANGES_IT:
        rules.check_not_frozen(record)
    expected = EXPECTED.get(Action(action)) if action in Action._value2member_map_ else None
    if expected is not None and record.status != expected:
        raise Conflict("task_not_open")
    if action == Action.CLOSE_RECORD:
        check_closing(session, record)


def check_closing(session: Session, record: RecordFile) -> None:
    """Closing needs documents, none of them a draft, none twice (the creator's review)."""
    filed = items_repo.items(session, record.id)
    if not filed:
        raise DomainError("record_empty")
    ordinal = {document.id: item.doc_ordinal for item, document in filed}
    documents = [document for _, document in filed]
    drafts = rules.not_final(documents)
    if drafts:
        raise DomainError("record_has_drafts", items=_numbers(ordinal[d.id] for d in drafts))
    duplicates = rules.duplicate_groups(documents)
    if duplicates:
        raise DomainError("record_has_duplicates",
                          items="; ".join(_numbers(ordinal[d.id] for d in group) for group in duplicates))


def _numbers(ordinals) -> str:
    return ", ".join(f"{number:02d}" for number in sorted(ordinals))
