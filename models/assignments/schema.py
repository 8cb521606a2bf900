"""What an assigner, a lead and a canceller send, checked at the boundary (pages and API v1 alike).

Bounds only: who may be assigned, which documents may be linked and whether the deadline lies in
the future are the repository's and the rules' questions. A refused form raises ``invalid_fields``
naming each field, in the kinds ``web/messages.py`` words.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from models.bounds import Id
from models.forms import BoundaryForm

TITLE_MAX, CONTENT_MAX, NOTE_MAX, REASON_MAX = 300, 10_000, 2000, 500
MAX_PARTIES, MAX_DOCUMENTS = 50, 20
class AssignmentForm(BoundaryForm):
    """A new assignment: the lead is one person or one unit; a date wins over working days."""

    # The descriptions are API v1's documentation (OpenAPI).
    title: str = Field(min_length=1, max_length=TITLE_MAX, description="Tên công việc")
    content: str = Field(default="", max_length=CONTENT_MAX, description="Nội dung, yêu cầu")
    lead_user_id: Id | None = Field(default=None, description="Người chủ trì (hoặc lead_unit_id, không cả hai)")
    lead_unit_id: Id | None = Field(default=None, description="Đơn vị chủ trì: lãnh đạo đơn vị cử người chủ trì")
    support_user_ids: list[Id] = Field(default_factory=list, max_length=MAX_PARTIES, description="Người phối hợp")
    support_unit_ids: list[Id] = Field(default_factory=list, max_length=MAX_PARTIES,
                                       description="Đơn vị phối hợp: lãnh đạo đơn vị gửi ý kiến phối hợp")
    working_days: int | None = Field(default=None, ge=-(2**31), le=2**31 - 1,
                                     description="Thời hạn: số ngày làm việc (1–365), tính theo lịch làm việc")
    due_date: date | None = Field(default=None, description="Hoặc hạn là một ngày (YYYY-MM-DD), hết 17 giờ; "
                                                            "được ưu tiên hơn working_days")
    document_ids: list[str] = Field(default_factory=list, max_length=MAX_DOCUMENTS,
                                    description="Văn bản liên quan (người giao việc được xem)")

    @field_validator("document_ids")
    @classmethod
    def _document_ids(cls, value: list[str]) -> list[str]:
        if any(len(item) > 36 for item in value):
            raise ValueError("document id")
        return list(dict.fromkeys(item for item in value if item))


class ProgressForm(BoundaryForm):
    """A lead's progress report: what was done, and how far along (0–100 %, optional)."""

    note: str = Field(min_length=1, max_length=NOTE_MAX, description="Tình hình thực hiện")
    percent: int | None = Field(default=None, ge=0, le=100, description="Tỷ lệ hoàn thành (%)")


class CancelForm(BoundaryForm):
    """The assigner cancels: why."""

    reason: str = Field(min_length=1, max_length=REASON_MAX, description="Lý do hủy")
