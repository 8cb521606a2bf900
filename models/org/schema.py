"""The organisation administrator's inputs at the boundary (page forms and API v1 alike).

Dates are ISO texts (``2025-07-01``) checked by ``models.org.rules.parse_day``, so a wrong date
gets a Vietnamese sentence naming its field; codes are checked in their own form by the rules.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from models.bounds import Id
from models.vocab import AgencyKind

_DATE = "Ngày theo dạng YYYY-MM-DD; để trống là không giới hạn"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AgencyInput(_Input):
    """A new agency (cơ quan, tổ chức) of the tree."""

    code: str = Field(max_length=40, description="Mã định danh theo QCVN 102, dạng 000.00.00.H42")
    qd20_code: str = Field(default="", max_length=40, description="Mã định danh theo QĐ 20/2020, dạng H42.01")
    name: str = Field(max_length=300)
    abbreviation: str = Field(max_length=40, description="Chữ viết tắt dùng trong ký hiệu văn bản")
    kind: AgencyKind
    parent_id: Id | None = None
    place_name: str = Field(default="", max_length=200, description="Địa danh ghi trên văn bản")
    hosted: bool = True
    valid_from: str = Field(default="", max_length=20, description=_DATE)
    focal_user_id: Id | None = None


class AgencyRename(_Input):
    """A new name (and place name) in force from ``effective``; the former one is kept."""

    name: str = Field(max_length=300)
    place_name: str | None = Field(default=None, max_length=200, description="Để trống: giữ địa danh hiện tại")
    effective: str = Field(default="", max_length=20, description="Ngày tên mới có hiệu lực; để trống: hôm nay")


class AgencyDetails(_Input):
    """The abbreviation, the QĐ 20 code and the focal văn thư; a field left out keeps its value."""

    abbreviation: str | None = Field(default=None, max_length=40)
    qd20_code: str | None = Field(default=None, max_length=40)
    focal_user_id: Id | None = None
    clear_focal_user: bool = False


class Move(_Input):
    """A new parent (None: top of the tree)."""

    parent_id: Id | None = None


class Closing(_Input):
    """The last day in force; for an agency, the successor that receives its codes as aliases."""

    valid_to: str = Field(max_length=20, description="Ngày cuối cùng còn hiệu lực (YYYY-MM-DD)")
    successor_id: Id | None = None


class AliasInput(_Input):
    """Another code of an agency for an interval (an old code, the code of a merged agency)."""

    code: str = Field(max_length=40)
    scheme: str = Field(default="qcvn102", pattern="^(qcvn102|qd20)$")
    valid_from: str = Field(default="", max_length=20, description=_DATE)
    valid_to: str = Field(default="", max_length=20, description=_DATE)
    note: str = Field(default="", max_length=300)


class UnitInput(_Input):
    """A new internal unit (phòng, ban) of an agency."""

    name: str = Field(max_length=300)
    abbreviation: str = Field(max_length=40)
    parent_id: Id | None = None
    valid_from: str = Field(default="", max_length=20, description=_DATE)


class UnitRename(_Input):
    """A unit's new name and abbreviation (a field left out keeps its value)."""

    name: str | None = Field(default=None, max_length=300)
    abbreviation: str | None = Field(default=None, max_length=40)
