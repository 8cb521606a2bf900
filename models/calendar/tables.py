"""The administrator's corrections to the working-day calendar (make-up days, extra days off)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class CalendarDay(SQLModel, table=True):
    """An administrator's correction to the working-day calendar: a make-up day or an extra day off."""

    day: date = Field(primary_key=True)
    working: bool  # True = làm bù (a Saturday worked), False = extra day off
    note: str = Field(default="", max_length=200)
