"""The Danh mục hồ sơ's inputs at the boundary (page forms and API v1 alike).

Lengths are those of the tables (DOMAIN §3.3: Title 500, Maintenance 30, Description 500);
the retention's form and the abbreviation's are checked by ``models.records.plan_rules``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from models.bounds import Id, Year
from models.records.tables import PlanNumbering


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PlanInput(_Input):
    """A new Danh mục hồ sơ of the person's agency for a year."""

    year: Year
    numbering: PlanNumbering = Field(default=PlanNumbering.THROUGH,
                                     description="lien_tuc: đánh số liên tục cả danh mục; "
                                                 "theo_de_muc: đánh số từ 01 trong từng đề mục lớn")
    from_previous: bool = Field(default=False, description="true: sao đề mục và hồ sơ của danh mục năm trước")


class HeadingInput(_Input):
    """A heading: top level (with the abbreviation used in số và ký hiệu) or below a top heading."""

    title: str = Field(min_length=1, max_length=300, description="Tên đề mục")
    abbreviation: str = Field(default="", max_length=20,
                              description="Chữ viết tắt của đề mục lớn dùng trong số và ký hiệu hồ sơ, ví dụ TCCB")
    parent_id: Id | None = Field(default=None, description="Đề mục lớn chứa đề mục này; để trống: đề mục lớn")
    unit_id: Id | None = Field(default=None, description="Đơn vị mà đề mục này ứng với (nếu có)")


class EntryInput(_Input):
    """A hồ sơ planned under a heading; its số và ký hiệu is given by QLVB."""

    heading_id: Id
    title: str = Field(min_length=1, max_length=500, description="Tiêu đề hồ sơ")
    maintenance: str = Field(max_length=30, description="Thời hạn bảo quản: Vĩnh viễn hoặc số năm, ví dụ 20 năm")
    creator_unit_id: Id | None = Field(default=None, description="Đơn vị lập hồ sơ")
    creator_user_id: Id | None = Field(default=None, description="Người lập hồ sơ")
    description: str = Field(default="", max_length=500, description="Ghi chú")


class EntryChange(_Input):
    """New values of an entry still open to change; a field left out keeps its value."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    maintenance: str | None = Field(default=None, max_length=30)
    creator_unit_id: Id | None = None
    creator_user_id: Id | None = None
    description: str | None = Field(default=None, max_length=500)
