"""The publishing form at the boundary (the page and API v1 alike).

The period is given as the statistics read it (``kind`` with ``value``, or a ``start``–``end``
range), as text: ``models.statistics.schema.parse_period`` turns it into dates and words its refusals.
"""

from __future__ import annotations

from pydantic import Field

from models.bounds import Id
from models.forms import BoundaryForm


class PublicationForm(BoundaryForm):
    """What the Văn phòng publishes: a finished period, a title, and what a correction corrects."""

    kind: str = Field(pattern="^(day|week|month|quarter|year|range)$",
                      description="Loại kỳ: day, week, month, quarter, year hoặc range (khoảng ngày)")
    value: str = Field(default="", max_length=20,
                       description="Kỳ: 2026-11-30 (ngày), 2026-W48 (tuần), 2026-11 (tháng), 2026-Q4 (quý), 2026 (năm)")
    start: str = Field(default="", max_length=10, description="Ngày đầu khoảng, YYYY-MM-DD (kind = range)")
    end: str = Field(default="", max_length=10, description="Ngày cuối khoảng, YYYY-MM-DD (kind = range)")
    title: str = Field(default="", max_length=300, description="Tiêu đề báo cáo; để trống: theo kỳ")
    note: str = Field(default="", max_length=1000, description="Ghi chú, lý do đính chính")
    supersedes_id: Id | None = Field(default=None, description="Báo cáo được đính chính (thay thế)")
