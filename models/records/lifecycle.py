"""The changes of a hồ sơ's state, each with its audit event, inside the caller's transaction.

Called by ``activities.records`` (the workflow's steps and timers) after the step's task row was
closed, so each runs once per decision. Never commits.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone

from pyhanko.pdf_utils.reader import PdfFileReader
from sqlmodel import Session

from models.audit import AuditEvent, already_recorded
from models.audit import record as audit
from models.db import utcnow
from models.documents.pdf_checks import READ_ERRORS
from models.notifications.notify import notify
from models.records import archive_repo, items_repo, repo, rules
from models.records.tables import RecordFile, RecordStatus
from models.tasks import repo as task_repo
from models.vocab import Action, Role

VIETNAM = timezone(timedelta(hours=7))
WARN_HOUR = time(8, 0)  # warnings and reviews start at the beginning of a working day
PageCounter = Callable[[str], int | None]


def morning_of(day: date) -> datetime:
    """08:00 Vietnam time on ``day``, as aware UTC (when a dated timer falls)."""
    return datetime.combine(day, WARN_HOUR, tzinfo=VIETNAM).astimezone(UTC)


def pdf_pages(data: bytes) -> int | None:
    """The page count a stored PDF declares (it was fully checked when it was received); None
    when it cannot be read, and the document's own PageAmount counts instead."""
    try:
        return int(PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"])
    except READ_ERRORS:
        return None


# --- what the workflow reads --------------------------------------------------------------------


def timers(session: Session, record: RecordFile) -> dict:
    """When the workflow's timers fall: the transfer warning and the end of the retention."""
    must = rules.must_transfer(record.maintenance)
    warn_at = None
    due = record.kept_until or record.transfer_due
    if must and record.status == RecordStatus.CLOSED and due is not None:
        announced = archive_repo.collection(session, record.agency_id, due.year)
        day = rules.warn_on(due, announced.announced_on if announced else None)
        if day is not None and not already_recorded(session, "record.transfer_warned", str(record.id),
                                                    due=due.isoformat()):
            warn_at = morning_of(day)
    ends_at = None
    if record.status in (RecordStatus.CLOSED, RecordStatus.ARCHIVED):
        ends = rules.retention_ends(record.end_date, record.maintenance)
        extended = repo.extended_until(session, record.id)
        if ends is not None and extended is not None:
            ends = max(ends, extended + timedelta(days=1))
        ends_at = morning_of(ends) if ends is not None else None
    return {"must_transfer": must, "warn_at": warn_at, "retention_ends_at": ends_at}


# --- closing: the listing (biên mục) ----------------------------------------------------------


def close(session: Session, record: RecordFile, actor_id: int | None, note: str, pages_of: PageCounter) -> None:
    """Close the hồ sơ: DocTotal, PageTotal (each stored PDF's pages), dates, transfer date."""
    repo.lock(session, record)
    dated_pages = []
    for _item, document, sha256 in items_repo.main_files(session, record.id):
        pages = pages_of(sha256) if sha256 else None
        dated_pages.append((rules.document_date(document), pages if pages is not None else document.page_amount or 0))
    listing = rules.listing(dated_pages, record.start_date)
    record.doc_total, record.page_total = listing.doc_total, listing.page_total
    record.start_date, record.end_date = listing.start_date, listing.end_date
    record.closed, record.status, record.closed_at = True, RecordStatus.CLOSED, utcnow()
    record.transfer_due = rules.transfer_due(record.end_date, record.construction, record.final_settlement)
    session.add(record)
    record_event(session, actor_id, "record.dong_ho_so", record, note=note, doc_total=record.doc_total,
                 page_total=record.page_total, start_date=_iso(record.start_date), end_date=_iso(record.end_date),
                 transfer_due=_iso(record.transfer_due))


# --- the other decisions ----------------------------------------------------------------------


def decide(session: Session, record: RecordFile, action: str, fields: dict[str, str], actor_id: int | None,
           workflow_id: str, pages_of: PageCounter) -> None:
    """Apply one decision of the hồ sơ's steps (the task row is already closed)."""
    if action == Action.CLOSE_RECORD:
        close(session, record, actor_id, fields.get("note", ""), pages_of)
    elif action == Action.KEEP_COLLECTING:
        record_event(session, actor_id, "record.tiep_tuc_lap", record, reason=fields.get("reason", ""))
    elif action in (Action.ALLOW_KEEPING, Action.REFUSE_KEEPING):
        _keeping(session, record, action, fields, actor_id)
    elif action == Action.ACCEPT_RECORD:
        repo.lock(session, record)
        record.status, record.archived_at = RecordStatus.ARCHIVED, utcnow()
        session.add(record)
        record_event(session, actor_id, "record.tiep_nhan_luu_tru", record, condition=fields.get("condition", ""))
    elif action == Action.RETURN_RECORD:
        repo.lock(session, record)
        record.status = RecordStatus.CLOSED
        session.add(record)
        record_event(session, actor_id, "record.tra_lai_ho_so", record, reason=fields.get("reason", ""))
        notify(session, [record.creator_id] if record.creator_id else [], None, "record_returned",
               record_id=record.id, link=f"/records/{record.id}", detail=fields.get("reason", ""))
    elif action == Action.DISPOSE_RECORD:
        dispose(session, record, fields.get("decision", ""), actor_id, workflow_id)
    elif action == Action.EXTEND_RETENTION:
        record_event(session, actor_id, "record.keo_dai_bao_quan", record, retain_until=fields.get("retain_until"),
                     reason=fields.get("reason", ""))
    elif action in (Action.GRANT_ACCESS, Action.REFUSE_ACCESS):
        _access(session, record, action, fields, actor_id)


def _keeping(session: Session, record: RecordFile, action: str, fields: dict[str, str], actor_id: int | None) -> None:
    until = fields.get("until", "")
    if action == Action.ALLOW_KEEPING:
        repo.lock(session, record)
        record.kept_until = date.fromisoformat(until)
        session.add(record)
        record_event(session, actor_id, "record.dong_y_giu_lai", record, until=until, opinion=fields.get("opinion", ""))
    else:
        record_event(session, actor_id, "record.khong_dong_y_giu_lai", record, until=until,
                     reason=fields.get("reason", ""))
    asked_by = fields.get("asked_by", "")
    notify(session, [int(asked_by)] if asked_by.isdigit() else [], None, "record_keep_decided",
           record_id=record.id, link=f"/records/{record.id}", detail=_keeping_detail(action, until))


def _keeping_detail(action: str, until: str) -> str:
    return (f"được giữ lại đến {date.fromisoformat(until):%d/%m/%Y}" if action == Action.ALLOW_KEEPING
            else "không được giữ lại, cần nộp lưu đúng hạn")


def _access(session: Session, record: RecordFile, action: str, fields: dict[str, str], actor_id: int | None) -> None:
    request = archive_repo.access_request(session, int(fields.get("access_id", "0") or 0))
    if request is None or request.record_id != record.id:
        return
    granted = action == Action.GRANT_ACCESS
    until = date.fromisoformat(fields["until"]) if granted and fields.get("until") else None
    if archive_repo.decide_request(session, request, granted, actor_id, until):
        record_event(session, actor_id, f"record.{action}", record, access_id=request.id, user_id=request.user_id,
                     until=_iso(until), reason=fields.get("reason", ""), opinion=fields.get("opinion", ""))
        notify(session, [request.user_id], None, "record_access_decided", record_id=record.id,
               link=f"/records/{record.id}", detail="được khai thác" if granted else "không được khai thác")


def dispose(session: Session, record: RecordFile, decision: str, actor_id: int | None, workflow_id: str) -> None:
    """Destroy the hồ sơ: the decision and the files to remove are kept, every row stays; its other
    waiting steps (read requests) are closed, and so are the requests."""
    repo.lock(session, record)
    blobs = archive_repo.releasable_blobs(session, record.id)
    archive_repo.add_disposal(session, record.id, actor_id, decision, blobs)
    record.status, record.disposed_at = RecordStatus.DISPOSED, utcnow()
    session.add(record)
    closed = task_repo.cancel_tasks(session, workflow_id)
    for request in archive_repo.requests_of(session, record.id):
        archive_repo.decide_request(session, request, False, actor_id, None)
    record_event(session, actor_id, "record.huy_ho_so", record, decision=decision, files=len(blobs),
                 cancelled_steps=closed)


# --- the transfer warning --------------------------------------------------------------------


def warn_transfer(session: Session, record: RecordFile) -> int:
    """Tell the creator and the archive that the hồ sơ falls due for transfer; once per due date."""
    due = record.kept_until or record.transfer_due
    if due is None or record.status != RecordStatus.CLOSED:
        return 0
    if already_recorded(session, "record.transfer_warned", str(record.id), due=due.isoformat()):
        return 0
    people = repo.people_with(session, record.agency_id, Role.ARCHIVIST)
    if record.creator_id is not None:
        people.append(record.creator_id)
    sent = notify(session, people, None, "record_transfer_due", record_id=record.id, link=f"/records/{record.id}",
                  detail=f"{record.file_notation} — hạn nộp lưu {due:%d/%m/%Y}")
    record_event(session, None, "record.transfer_warned", record, due=due.isoformat(), notified=sent)
    return sent


# --- helpers ------------------------------------------------------------------------------------


def record_event(session: Session, actor_id: int | None, code: str, record: RecordFile, **data) -> AuditEvent:
    """An audit event on the hồ sơ, naming its FileCode."""
    return audit(session, actor_id, code, "record", record.id, file_notation=record.file_notation,
                  file_catalog=record.file_catalog, **data)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
