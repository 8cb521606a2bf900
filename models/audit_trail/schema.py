"""The audit log search as read from a URL or API query: checked at the boundary, in Vietnamese."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from models.audit_trail import repo
from models.errors import DomainError
from models.registers.numbering import VIETNAM
from models.text import text_problem

MAX_TEXT = 80
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 50
MAX_PAGE = 100_000
FIELDS = ("actor", "document", "code", "from", "to", "page", "per_page")
FIELD_NAMES = {"actor": "Người thực hiện", "document": "Mã văn bản", "code": "Thao tác", "from": "Từ ngày",
               "to": "Đến ngày", "page": "Trang", "per_page": "Số dòng mỗi trang"}


class InvalidAuditQuery(DomainError):
    """A search field that cannot be read; nothing is searched."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__("invalid_audit_query", field=field, detail=f"{FIELD_NAMES[field]}: {reason}")


@dataclass(frozen=True)
class AuditQuery:
    """Who (username), which document (its id), which action (its code), which Vietnam days."""

    actor: str = ""
    document: str = ""
    code: str = ""
    start: date | None = None
    end: date | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> AuditQuery:
        values: dict = {}
        for name, attribute in (("actor", "actor"), ("document", "document"), ("code", "code")):
            text = str(params.get(name, "") or "").strip()
            if len(text) > MAX_TEXT:
                raise InvalidAuditQuery(name, f"dài quá {MAX_TEXT} ký tự")
            if text_problem(text, multiline=False):
                raise InvalidAuditQuery(name, "có ký tự điều khiển hoặc ký tự đảo chiều")
            values[attribute] = text
        for name, attribute in (("from", "start"), ("to", "end")):
            text = str(params.get(name, "") or "").strip()
            if text:
                try:
                    values[attribute] = date.fromisoformat(text)
                except ValueError:
                    raise InvalidAuditQuery(name, "ngày không hợp lệ (định dạng YYYY-MM-DD)") from None
        for name, low, high in (("page", 1, MAX_PAGE), ("per_page", 1, MAX_PER_PAGE)):
            text = str(params.get(name, "") or "").strip()
            if text:
                if not text.isdigit() or not low <= int(text) <= high:
                    raise InvalidAuditQuery(name, f"phải là số từ {low} đến {high}")
                values[name] = int(text)
        query = cls(**values)
        if query.start and query.end and query.start > query.end:
            raise InvalidAuditQuery("to", "trước «Từ ngày»")
        return query

    def to_params(self, *, page: int | None = None) -> dict[str, str]:
        params = {"actor": self.actor, "document": self.document, "code": self.code,
                  "from": self.start.isoformat() if self.start else "",
                  "to": self.end.isoformat() if self.end else ""}
        if (page or self.page) > 1:
            params["page"] = str(page or self.page)
        if self.per_page != DEFAULT_PER_PAGE:
            params["per_page"] = str(self.per_page)
        return {key: value for key, value in params.items() if value}

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def with_page(self, page: int) -> AuditQuery:
        return replace(self, page=page)

    def filter(self, session: Session) -> repo.AuditFilter:
        """The repository filter: the username resolved (an unknown one matches nothing), days as instants."""
        actor_id = None
        if self.actor:
            user = repo.user_by_username(session, self.actor)
            actor_id = user.id if user is not None else -1
        return repo.AuditFilter(
            actor_id=actor_id, document_id=self.document or None, code=self.code or None,
            start=_day_start(self.start) if self.start else None,
            end=_day_start(self.end + timedelta(days=1)) if self.end else None)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=VIETNAM)
