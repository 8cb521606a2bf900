"""The inputs of the weekly work schedule at the boundary (page forms and API v1 alike).

An event is checked here for its form (a date, two times, texts within their lengths, ids); the
rules then check what needs the week and the agency (``models.schedule.rules``, the command).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.bounds import Id
from models.errors import DomainError
from models.text import refuse_unsafe_text


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WeekInput(_Input):
    """The week of a new schedule."""

    week: str = Field(max_length=10, description="Tuần theo ISO 8601, dạng YYYY-Www (ví dụ 2026-W49)")


class EventInput(_Input):
    """One event of the week (Thứ/ngày, Thời gian, Nội dung, Thành phần, Địa điểm, Chuẩn bị)."""

    day: date = Field(description="Ngày (YYYY-MM-DD), trong tuần của lịch")
    start_time: time = Field(description="Giờ bắt đầu (HH:MM, giờ Việt Nam)")
    end_time: time = Field(description="Giờ kết thúc (HH:MM), sau giờ bắt đầu")
    content: str = Field(min_length=1, max_length=1000, description="Nội dung")
    place: str = Field(default="", max_length=300, description="Địa điểm")
    leader_ids: list[Id] = Field(default_factory=list, max_length=20,
                                 description="Lãnh đạo dự, chủ trì: người giữ vai trò lãnh đạo của cơ quan")
    participant_user_ids: list[Id] = Field(default_factory=list, max_length=100,
                                           description="Thành phần: cá nhân của cơ quan")
    participant_unit_ids: list[Id] = Field(default_factory=list, max_length=50,
                                           description="Thành phần: đơn vị của cơ quan")
    participants_note: str = Field(default="", max_length=500,
                                   description="Thành phần khác, ghi bằng lời (ví dụ: đại diện Sở Tài chính)")
    preparing_unit_id: Id | None = Field(default=None, description="Đơn vị chuẩn bị")
    document_ids: list[str] = Field(default_factory=list, max_length=10,
                                    description="Văn bản kèm theo (giấy mời, báo cáo): mã văn bản người lập lịch xem được")

    def model_post_init(self, _: Any) -> None:
        refuse_unsafe_text(content=self.content, place=self.place, participants_note=self.participants_note)
        for value in self.document_ids:
            if not value or len(value) > 36 or any(c not in "0123456789abcdefABCDEF-" for c in value):
                raise DomainError("invalid_fields", fields={"document_ids": "invalid"})


def parse_event(raw: dict[str, Any]) -> EventInput:
    """An event from a form or a JSON body; a malformed field is refused in Vietnamese, by name."""
    try:
        return EventInput.model_validate(raw)
    except ValidationError as error:
        fields = {}
        for item in error.errors():
            location = [str(part) for part in item.get("loc", ())]
            fields[location[0] if location else "request"] = item.get("type", "invalid")
        raise DomainError("invalid_fields", fields=fields) from None
