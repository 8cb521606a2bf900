"""The organisation administrator's inputs at the boundary (page forms and API v1 alike).

Dates are ISO texts (``2025-07-01``) checked by ``models.org.rules.parse_day``, so a wrong date
gets a Vietnamese sentence naming its field; codes are checked in their own form by the rules.
"""

from __future__ import annotations

import json

import yaml
from pydantic import BaseModel, ConfigDict, Field

from models.bounds import MAX_JSON_DEPTH, Id, json_too_deep
from models.errors import DomainError
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


# The largest change set a reorganisation reads: a province's merger is a few hundred lines.
MAX_CHANGE_SET_CHARS = 256 * 1024


def parse_change_set(text: str) -> dict:
    """A reorganisation's change set, from JSON (text starting with ``{``) or YAML, as the page, API
    v1 and ``qlvb org reorganise`` accept it; a bad or oversized text is ``org_bad_change_set``."""
    if len(text) > MAX_CHANGE_SET_CHARS:
        raise DomainError("org_bad_change_set", detail="bộ thay đổi quá lớn")
    if text.lstrip().startswith("{"):
        if json_too_deep(text):
            raise DomainError("org_bad_change_set", detail=f"JSON lồng nhau quá {MAX_JSON_DEPTH} cấp")
        try:
            change_set = json.loads(text)
        except ValueError as error:
            raise DomainError("org_bad_change_set", detail=f"JSON không hợp lệ ({error})") from None
    else:
        try:
            change_set = yaml.safe_load(text)
        except yaml.YAMLError:
            raise DomainError("org_bad_change_set", detail="YAML không hợp lệ") from None
    if isinstance(change_set, dict) and change_set.get("effective") is not None:
        change_set["effective"] = str(change_set["effective"])  # YAML reads a bare date as a date
    return change_set
