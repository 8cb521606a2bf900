"""The pure rules of the weekly work schedule: ISO weeks, event times, leaders booked twice, what a
publication changed, and the iCalendar feed read back with the ``icalendar`` library."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from models.errors import DomainError
from models.schedule import rules
from models.schedule.changes import describe, diff
from models.schedule.ical import build_feed
from models.schedule.tables import ScheduleEvent
from models.schedule.views import EventView


def Ev(uid: str, day: date, start: time, end: time, leader_ids=(), content: str = "Họp", place: str = "",  # noqa: N802
       **more) -> ScheduleEvent:
    """A working copy of an event, as the rules receive it (no database needed)."""
    return ScheduleEvent(schedule_id=1, uid=uid, day=day, start_time=start, end_time=end, content=content,
                         place=place, leader_ids=list(leader_ids), **more)


@pytest.mark.parametrize(("code", "monday"), [
    ("2026-W49", date(2026, 11, 30)),
    ("2025-W01", date(2024, 12, 30)),  # the ISO year starts in December
    ("2026-W53", date(2026, 12, 28)),  # 2026 has 53 ISO weeks
])
def test_a_week_code_names_its_monday_and_back(code, monday):
    assert rules.parse_week(code) == monday
    assert rules.week_code(monday) == code
    assert rules.week_of(monday + timedelta(days=6)) == monday  # its Sunday


@pytest.mark.parametrize("code", ["2025-W53", "2026-W00", "2026-49", "2026-W4", "", "W49-2026", "2026-W99"])
def test_a_week_that_does_not_exist_is_refused_in_vietnamese_terms(code):
    with pytest.raises(DomainError) as refused:
        rules.parse_week(code)
    assert refused.value.code == "schedule_bad_week"


def test_the_current_week_follows_vietnam_time():
    # Sunday 23:30 UTC is already Monday 06:30 in Hà Nội.
    assert rules.current_week(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)) == date(2026, 12, 7)
    assert rules.weekday_name(date(2026, 12, 6)) == "Chủ nhật"
    assert rules.week_label(date(2026, 11, 30)) == "tuần 49 (30/11/2026 – 06/12/2026)"


def test_an_event_must_lie_in_its_week_and_end_after_it_starts():
    monday = date(2026, 11, 30)
    rules.check_event_times(monday, date(2026, 12, 6), time(8), time(8, 1))
    for day, start, end, code in ((date(2026, 12, 7), time(8), time(9), "schedule_event_outside_week"),
                                  (date(2026, 11, 29), time(8), time(9), "schedule_event_outside_week"),
                                  (monday, time(9), time(8), "schedule_event_ends_before_start"),
                                  (monday, time(9), time(9), "schedule_event_ends_before_start")):
        with pytest.raises(DomainError) as refused:
            rules.check_event_times(monday, day, start, end)
        assert refused.value.code == code


def test_overlaps_are_pairs_that_book_the_same_leader_at_the_same_time():
    day = date(2026, 12, 1)
    events = [Ev("a", day, time(8), time(10), [1, 2]), Ev("b", day, time(9), time(11), [2, 3]),
              Ev("c", day, time(10), time(12), [1]),  # touches a's end: no overlap with a
              Ev("d", date(2026, 12, 2), time(8), time(10), [1, 2]),  # another day
              Ev("e", day, time(7), time(12), [3])]
    found = {(o.leader_id, o.first_uid, o.second_uid) for o in rules.overlaps(events)}
    assert found == {(2, "a", "b"), (3, "e", "b")}
    assert {(o.first_uid, o.second_uid) for o in rules.overlaps_with(events, "c")} == set()


def test_a_publication_is_described_event_by_event():
    day = date(2026, 12, 1)
    before = [Ev("a", day, time(8), time(10), [1], "Họp giao ban", "Phòng họp 1"),
              Ev("b", day, time(14), time(15), [2], "Tiếp công dân")]
    after = [Ev("a", day, time(14), time(16), [1], "Họp giao ban", "Hội trường tầng 3"),
             Ev("c", date(2026, 12, 3), time(8), time(9), [2], "Kiểm tra văn thư", participant_unit_ids=[7])]
    changes = diff(before, after)
    assert [(c.kind, c.event.uid) for c in changes] == [("changed", "a"), ("removed", "b"), ("added", "c")]
    assert changes[0].fields == ("start_time", "end_time", "place")
    assert changes[2].people() == {2} and changes[2].units() == {7}
    text = [describe(c, {1: "Trần Văn Minh", 2: "Lê Hồng"}, {7: "Phòng Tổng hợp"}) for c in changes]
    assert text[0] == ("Điều chỉnh «Họp giao ban» (Thứ Ba 01/12/2026, 08:00–10:00): thời gian Thứ Ba 01/12/2026, "
                       "08:00–10:00 → Thứ Ba 01/12/2026, 14:00–16:00; địa điểm → Hội trường tầng 3")
    assert text[1] == "Hủy «Tiếp công dân» (Thứ Ba 01/12/2026, 14:00–15:00)"
    assert text[2] == "Bổ sung «Kiểm tra văn thư» (Thứ Năm 03/12/2026, 08:00–09:00)"
    assert diff(before, before) == []


def test_the_feed_reads_back_with_stable_uids_vietnam_times_and_sequences():
    stamp = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    events = [EventView(
        id=1, uid="7b0c", day=date(2026, 12, 1), start_time=time(14), end_time=time(16),
        content="Họp giao ban; tuần 49, “quý IV”", place="Hội trường", leader_ids=[3], leader_names=["Trần Văn Minh"],
        participant_user_ids=[], participant_unit_ids=[5], participants_note="đại diện Sở Tài chính",
        participants_text="Phòng Tổng hợp; đại diện Sở Tài chính", preparing_unit_id=4,
        preparing_unit_name="Phòng Hành chính - Tổ chức", document_ids=[], documents=[], sequence=2,
        updated_at=stamp, published_at=stamp)]
    calendar = Calendar.from_ical(build_feed("Lịch công tác – Văn phòng", events, stamp))
    assert str(calendar["X-WR-CALNAME"]) == "Lịch công tác – Văn phòng"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "7b0c@lich-cong-tac.qlvb"
    assert str(event["SUMMARY"]) == "Họp giao ban; tuần 49, “quý IV”"
    assert event.decoded("DTSTART").isoformat() == "2026-12-01T14:00:00+07:00"
    assert event.decoded("DTEND").isoformat() == "2026-12-01T16:00:00+07:00"
    assert int(event["SEQUENCE"]) == 2
    assert str(event["DESCRIPTION"]).splitlines() == [
        "Lãnh đạo: Trần Văn Minh", "Thành phần: Phòng Tổng hợp; đại diện Sở Tài chính",
        "Chuẩn bị: Phòng Hành chính - Tổ chức"]
