"""A hồ sơ's inputs at the boundary (page forms and API v1 alike).

Lengths are those of DOMAIN §3.3 (Title 500, Maintenance 30, Rights 30, Description 500); the
forms of số và ký hiệu, retention and chế độ sử dụng are checked by ``models.records.rules``.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from models.bounds import Id, Year
from models.forms import BoundaryForm


class OpenRecordInput(BoundaryForm):
    """A new hồ sơ: from an approved entry of the Danh mục (``plan_entry_id``: its title, số và ký
    hiệu and retention come from the entry), or outside it (every field but the notes required)."""

    plan_entry_id: Id | None = Field(default=None, description="Hồ sơ trong Danh mục hồ sơ đã ban hành")
    title: str = Field(default="", max_length=500, description="Tiêu đề hồ sơ")
    file_notation: str = Field(default="", max_length=20, description="Số và ký hiệu hồ sơ, ví dụ 05.TH")
    maintenance: str = Field(default="", max_length=30, description="Thời hạn bảo quản: Vĩnh viễn hoặc số năm")
    creator_id: Id | None = Field(default=None, description="Người lập hồ sơ (mặc định: người mở hồ sơ)")
    start_date: date | None = Field(default=None, description="Thời gian bắt đầu (YYYY-MM-DD)")
    rights: str = Field(default="", max_length=30, description="Chế độ sử dụng: Sử dụng rộng rãi hoặc Hạn chế sử dụng")
    description: str = Field(default="", max_length=500, description="Ghi chú")
    construction: bool = Field(default=False, description="Hồ sơ xây dựng cơ bản (nộp lưu 3 tháng sau quyết toán)")


class FileDocumentInput(BoundaryForm):
    """A document filed in the hồ sơ (without copying it)."""

    document_id: str = Field(min_length=1, max_length=36)


class CorrectionInput(BoundaryForm):
    """A correction of a closed hồ sơ: the fields to change (left out: unchanged) and why."""

    reason: str = Field(min_length=1, max_length=500, description="Lý do đính chính")
    title: str | None = Field(default=None, min_length=1, max_length=500)
    maintenance: str | None = Field(default=None, max_length=30)
    rights: str | None = Field(default=None, max_length=30)
    description: str | None = Field(default=None, max_length=500)
    final_settlement: date | None = Field(default=None, description="Ngày quyết toán (hồ sơ xây dựng cơ bản)")


class KeepInput(BoundaryForm):
    """The unit asks to keep a hồ sơ due for transfer longer (at most 2 years, ND30 Điều 31.2)."""

    until: date = Field(description="Giữ lại đến ngày (YYYY-MM-DD)")
    reason: str = Field(min_length=1, max_length=500)


class ReasonInput(BoundaryForm):
    """A reason, for a handover, a freeze, a request to read a restricted hồ sơ."""

    reason: str = Field(min_length=1, max_length=500)


class HandoverInput(BoundaryForm):
    """Hand an open hồ sơ to the person who continues the work."""

    successor_id: Id
    reason: str = Field(min_length=1, max_length=500)


class CollectionInput(BoundaryForm):
    """The archive announced its list of hồ sơ to collect in ``year`` on ``announced_on``."""

    year: Year
    announced_on: date
