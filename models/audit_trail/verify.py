"""Check the audit trail end to end: every link of the chain and every signed day head.

The walk reads the events in ``seq`` order and recomputes each hash. What it can find:

* **modified** — a row's content no longer gives its stored hash (an UPDATE);
* **deleted** — a ``seq`` is missing before a row, or at the end of the chain (the head row
  says the chain is longer);
* **inserted** — a row outside the chain (no ``seq``), a second row with the same ``seq``, a row
  beyond the head, or a row that does not follow the previous link;
* **day heads** — a signature that is not the installation key's, or a signed head the chain no
  longer has (the chain was rebuilt).

Problems are listed in chain order; the first one is the first broken link. Messages are Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from models.audit import GENESIS_HASH, AuditEvent, hash_of
from models.audit_trail import day_heads, repo
from models.registers.numbering import VIETNAM

MAX_PROBLEMS = 100


@dataclass(frozen=True)
class Problem:
    """One broken link: what is wrong, where (seq, event id, time), in Vietnamese."""

    kind: str  # modified | deleted | inserted | day_head
    message: str
    seq: int | None = None
    event_id: int | None = None
    at: datetime | None = None


@dataclass
class ChainReport:
    """The outcome of a check."""

    events_checked: int = 0
    head_seq: int = 0
    days_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    day_problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems and not self.day_problems

    @property
    def first_broken(self) -> Problem | None:
        return (self.problems or self.day_problems or [None])[0]

    def summary(self) -> str:
        """One Vietnamese sentence: intact, or the first broken link."""
        if self.intact:
            return (f"Nhật ký nguyên vẹn: {self.events_checked} sự kiện nối liền thành một chuỗi, "
                    f"{self.days_checked} đầu chuỗi ngày có chữ ký hợp lệ.")
        count = len(self.problems) + len(self.day_problems)
        return f"Nhật ký đã bị can thiệp ({count} chỗ hỏng). Mắt xích hỏng đầu tiên: {self.first_broken.message}"


def _when(at: datetime | None) -> str:
    return at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S") if at else "?"


def _where(row: AuditEvent) -> str:
    return f"sự kiện số {row.seq} (mã {row.id}, lúc {_when(row.at)}, {row.code})"


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole chain and report every broken link (at most ``MAX_PROBLEMS``)."""
    report = ChainReport()
    found = report.problems
    expected_seq, prev_hash = 1, GENESIS_HASH
    last: AuditEvent | None = None
    for row in repo.chained_events(session):
        report.events_checked += 1
        if len(found) >= MAX_PROBLEMS:
            break
        if last is not None and row.seq == last.seq:
            found.append(Problem("inserted", f"Có thêm một sự kiện mang cùng số thứ tự với {_where(last)}: "
                                             f"mã {row.id}, lúc {_when(row.at)}, {row.code} (sự kiện bị chèn).",
                                 row.seq, row.id, row.at))
            continue
        if row.seq > expected_seq:
            missing = (f"số {expected_seq}" if row.seq == expected_seq + 1
                       else f"số {expected_seq} đến {row.seq - 1}")
            found.append(Problem("deleted", f"Thiếu sự kiện {missing} ngay trước {_where(row)}: "
                                            f"sự kiện đã bị xóa.", expected_seq, row.id, row.at))
        elif row.prev_hash != prev_hash:
            found.append(Problem("inserted", f"{_where(row).capitalize()} không nối với mắt xích trước "
                                             f"(mã băm của sự kiện trước không khớp): có sự kiện bị chèn "
                                             f"hoặc thay thế.", row.seq, row.id, row.at))
        if hash_of(row, row.prev_hash or "") != row.hash:
            found.append(Problem("modified", f"{_where(row).capitalize()} đã bị sửa: nội dung không còn "
                                             f"khớp với mã băm đã lưu.", row.seq, row.id, row.at))
        expected_seq, prev_hash, last = row.seq + 1, row.hash, row
    head_seq, head_hash = repo.chain_head(session)
    report.head_seq = head_seq
    last_seq = last.seq if last is not None else 0
    if len(found) < MAX_PROBLEMS:
        if head_seq > last_seq:
            missing = f"số {last_seq + 1}" if head_seq == last_seq + 1 else f"số {last_seq + 1} đến {head_seq}"
            found.append(Problem("deleted", f"Thiếu sự kiện {missing} ở cuối chuỗi: sự kiện đã bị xóa.",
                                 last_seq + 1))
        elif last is not None and last_seq > head_seq:
            found.append(Problem("inserted", f"{_where(last).capitalize()} nằm sau đầu chuỗi (số {head_seq}): "
                                             f"sự kiện bị chèn.", last.seq, last.id, last.at))
        elif last is not None and last.hash != head_hash:
            found.append(Problem("modified", f"Đầu chuỗi không khớp với {_where(last)}: chuỗi đã bị thay đổi.",
                                 last.seq, last.id, last.at))
    for row in repo.unchained_events(session, MAX_PROBLEMS - len(found)):
        found.append(Problem("inserted", f"Sự kiện mã {row.id} (lúc {_when(row.at)}, {row.code}) không nằm trong "
                                         f"chuỗi: sự kiện được chèn thẳng vào cơ sở dữ liệu.",
                             None, row.id, row.at))
    return report


def verify_day_heads(session: Session, settings, report: ChainReport) -> ChainReport:
    """Check each signed day head: the installation key's signature, and the chain still has that link."""
    key = day_heads.signing_key(settings, create=False)
    rows = repo.day_heads(session)
    report.days_checked = len(rows)
    if rows and key is None:
        report.day_problems.append(Problem("day_head", "Không tìm thấy khóa ký nhật ký của hệ thống "
                                                       f"({day_heads.KEY_FILE}): không kiểm tra được chữ ký "
                                                       "đầu chuỗi ngày."))
        return report
    public_key = key.public_key() if key is not None else None
    own_id = day_heads.key_id(public_key) if public_key is not None else ""
    for row in rows:
        day = row.day.strftime("%d/%m/%Y")
        if row.key_id != own_id or not day_heads.signature_holds(row, public_key):
            report.day_problems.append(Problem("day_head", f"Chữ ký đầu chuỗi ngày {day} (sự kiện số {row.seq}) "
                                                           "không phải của khóa hệ thống hoặc không hợp lệ.",
                                               row.seq))
            continue
        if row.seq == 0:
            continue
        events = repo.events_at_seq(session, row.seq)
        if not any(event.hash == row.hash for event in events):
            report.day_problems.append(Problem(
                "day_head", f"Đầu chuỗi đã ký của ngày {day} (sự kiện số {row.seq}) không còn trong nhật ký: "
                            "chuỗi đã bị dựng lại hoặc sự kiện đã bị xóa.",
                row.seq, events[0].id if events else None, events[0].at if events else None))
    return report


def verify(session: Session, settings) -> ChainReport:
    """The whole check: the chain, then the signed day heads."""
    return verify_day_heads(session, settings, verify_chain(session))
