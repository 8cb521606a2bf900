"""Which hồ sơ to propose for a document just finished (``hoan_thanh``) or issued (ND30 Điều 29.3).

The person's own open hồ sơ come first, those opened from the Danh mục heading of their unit
before the others; then the heading's approved entries nobody has opened yet (opened on
confirming). The first is proposed; the person confirms it or chooses another: nothing is filed
until they do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from models.documents.tables import Document
from models.org.tables import User
from models.records import items_repo, plan_repo, repo
from models.records.tables import EntryStatus, RecordFile, RecordItem, RecordPlanEntry
from models.vocab import Role


@dataclass
class Proposal:
    """Where the document is filed already, and where it could go, the proposed one first."""

    filed: list[tuple[RecordFile, RecordItem]] = field(default_factory=list)
    records: list[RecordFile] = field(default_factory=list)
    entries: list[RecordPlanEntry] = field(default_factory=list)

    @property
    def proposed_record(self) -> RecordFile | None:
        return self.records[0] if self.records else None

    @property
    def proposed_entry(self) -> RecordPlanEntry | None:
        return self.entries[0] if not self.records and self.entries else None


def unit_entries(session: Session, user: User, year: int) -> list[RecordPlanEntry]:
    """The approved entries under the Danh mục heading that follows the person's unit (and below it)."""
    if user.unit_id is None:
        return []
    heading = plan_repo.heading_for_unit(session, user.agency_id, year, user.unit_id)
    if heading is None:
        return []
    headings = [heading, *plan_repo.sub_headings(session, heading.id)]
    return [entry for h in headings for entry in sorted(plan_repo.entries_under(session, h.id), key=lambda e: e.position)
            if entry.status == EntryStatus.APPROVED]


def proposals(session: Session, user: User, roles: set[Role], document: Document, year: int) -> Proposal:
    """The filing proposal for ``document`` (which the person may see and which may be filed)."""
    found = Proposal(filed=items_repo.records_of(session, document.id))
    already = {record.id for record, _ in found.filed}
    entries = unit_entries(session, user, year)
    opened = repo.open_of_entries(session, [entry.id for entry in entries])
    of_heading = {record.id for record in opened.values()}
    candidates = [record for record in repo.open_managed_by(session, user, roles) if record.id not in already]
    # Stable sort: own hồ sơ of the unit's heading, then own others, then the unit's (a head's).
    candidates.sort(key=lambda record: (record.creator_id != user.id, record.id not in of_heading))
    found.records = candidates
    found.entries = [entry for entry in entries if entry.id not in opened]
    return found
