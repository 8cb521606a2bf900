"""The SQL of the fixity pass (``models.documents.fixity``): the cursor, the digests to check, the
problems found and their report to the administrators. Never commits."""

from __future__ import annotations

from sqlalchemy import func, union
from sqlmodel import Session, col, select

from models import audit
from models.db import utcnow
from models.documents.fixity import BatchOutcome, FixityCursor, FixityKind, FixityProblem
from models.documents.tables import Document, DocumentFile, StoredFile
from models.exchange.tables import HubInbound, HubOutbox
from models.notifications.notify import administrators, notify

NOTIFICATION = "fixity_failed"
FAILED, RESTORED, PASS_FINISHED = "file.fixity_failed", "file.fixity_restored", "file.fixity_pass_finished"
# What the administrators read about each file (the notification's detail, its e-mail copy).
PROBLEM_WORDS = {FixityKind.MISMATCH: "nội dung đã bị thay đổi", FixityKind.MISSING: "không còn trong kho lưu trữ"}
REPORTED_FILES = 20  # files named in one notification; the audit log names every one


def cursor(session: Session, *, for_update: bool = False) -> FixityCursor:
    """The pass's cursor row, created on first use (the caller commits)."""
    query = select(FixityCursor).where(FixityCursor.id == 1)
    row = session.exec(query.with_for_update() if for_update else query).first()
    if row is None:
        row = FixityCursor(id=1)
        session.add(row)
        session.flush()
    return row


def current(session: Session) -> FixityCursor:
    """The pass's cursor as it stands (a fresh one, not added, before the first batch)."""
    return session.get(FixityCursor, 1) or FixityCursor(id=1)


# Every blob the database names: the files of documents (and their PDF/A copies), and the raw
# packages the hub exchanged, which are kept in the store without a ``storedfile`` row.
SOURCES = (StoredFile.sha256, HubInbound.package_sha256, HubOutbox.package_sha256)


def digests_after(session: Session, after: str, limit: int) -> list[str]:
    """The next ``limit`` distinct stored digests after ``after``, in order (each source read in
    order up to ``limit``, then merged)."""
    found: set[str] = set()
    for column in SOURCES:
        found.update(session.exec(select(column).where(col(column) > after).distinct()
                                  .order_by(column).limit(limit)))
    return sorted(found)[:limit]


def count_after(session: Session, after: str) -> int:
    """How many distinct stored digests come after ``after`` (the rest of the pass)."""
    every = union(*(select(column.label("sha256")).where(col(column) > after) for column in SOURCES)).subquery()
    return session.exec(select(func.count()).select_from(every)).one()


def open_problems(session: Session) -> list[FixityProblem]:
    """Problems not yet resolved, oldest first."""
    return list(session.exec(select(FixityProblem).where(col(FixityProblem.resolved_at).is_(None))
                             .order_by(FixityProblem.id)))


def record_batch(session: Session, outcome: BatchOutcome) -> list[FixityProblem]:
    """Write what a batch found and move the cursor past it; return the problems new to the report.

    Caller holds the cursor row (``cursor(for_update=True)``) and checked it still stands at
    ``outcome.started_after`` (a batch is recorded once). In order:

    1. each finding opens a problem, or refreshes the open one of that file and kind (reported
       once, when found);
    2. open problems of the files this batch found whole are resolved (``file.fixity_restored``);
    3. each new problem is audited (``file.fixity_failed``) and all of them are told to every
       administrator in one notification (with its e-mail copy);
    4. the cursor moves to the last digest checked; when nothing is left after it the pass is
       finished (``file.fixity_pass_finished``) and the next one starts from the beginning.
    """
    now = utcnow()
    row = cursor(session)
    found = {(f.sha256, f.kind): f for f in outcome.findings}
    checked_range = (col(FixityProblem.sha256) > outcome.started_after,
                     col(FixityProblem.sha256) <= outcome.last_checked)
    current = {(p.sha256, p.kind): p for p in session.exec(
        select(FixityProblem).where(col(FixityProblem.resolved_at).is_(None), *checked_range))}
    fresh = []
    for key, finding in found.items():
        problem = current.get(key)
        if problem is None:
            problem = FixityProblem(sha256=finding.sha256, kind=finding.kind, actual_sha256=finding.actual_sha256,
                                    found_at=now)
            fresh.append(problem)
        problem.last_seen_at, problem.actual_sha256 = now, finding.actual_sha256
        session.add(problem)
    for key, problem in current.items():
        if key not in found:
            problem.resolved_at = now
            session.add(problem)
            audit.record(session, None, RESTORED, "file", problem.sha256, kind=problem.kind,
                         pass_number=row.pass_number)
    session.flush()
    _report(session, fresh, row.pass_number)
    row.after_sha256 = outcome.last_checked or row.after_sha256
    row.checked_in_pass += outcome.checked
    if count_after(session, row.after_sha256) == 0:
        audit.record(session, None, PASS_FINISHED, "file", f"pass-{row.pass_number}", checked=row.checked_in_pass,
                     started_at=row.pass_started_at.isoformat(), open_problems=len(open_problems(session)))
        row.pass_number, row.after_sha256, row.checked_in_pass = row.pass_number + 1, "", 0
        row.pass_started_at = row.last_pass_finished_at = now
    session.add(row)
    return fresh


def _report(session: Session, problems: list[FixityProblem], pass_number: int) -> None:
    if not problems:
        return
    names = _files_and_documents(session, [p.sha256 for p in problems])
    lines = []
    for problem in problems:
        filename, documents = names.get(problem.sha256, ("gói tin trục liên thông", []))
        audit.record(session, None, FAILED, "file", problem.sha256, kind=problem.kind, actual=problem.actual_sha256,
                     filename=filename, documents=documents[:REPORTED_FILES], pass_number=pass_number)
        lines.append(f"tệp «{filename}» (SHA-256 {problem.sha256[:12]}…, {len(documents)} văn bản): "
                     f"{PROBLEM_WORDS[problem.kind]}")
    more = len(lines) - REPORTED_FILES
    detail = "; ".join(lines[:REPORTED_FILES]) + (f"; và {more} tệp khác (xem nhật ký hệ thống)" if more > 0 else "")
    detail += ". Cần khôi phục các tệp này từ bản sao lưu."
    notify(session, administrators(session), None, NOTIFICATION, urgent=True, detail=detail[:2000],
           files=[p.sha256 for p in problems[:REPORTED_FILES]])


def _files_and_documents(session: Session, digests: list[str]) -> dict[str, tuple[str, list[str]]]:
    """For each digest: a file name it was stored under and the documents whose file it is."""
    result: dict[str, tuple[str, list[str]]] = {}
    rows = session.exec(select(StoredFile.id, StoredFile.sha256, StoredFile.filename)
                        .where(col(StoredFile.sha256).in_(digests))).all()
    by_id = {file_id: sha for file_id, sha, _ in rows}
    for _, sha, filename in rows:
        result.setdefault(sha, (filename, []))
    documents = session.exec(select(DocumentFile.file_id, DocumentFile.document_id)
                             .where(col(DocumentFile.file_id).in_(list(by_id)))).all()
    documents += session.exec(select(Document.file_id, Document.id).where(col(Document.file_id).in_(list(by_id)))).all()
    for file_id, document_id in documents:
        listed = result[by_id[file_id]][1]
        if document_id not in listed:
            listed.append(document_id)
    return result

