"""Reading the period of a statistic or report (models.statistics.schema)."""

from __future__ import annotations

from datetime import date

import pytest

from models.errors import DomainError
from models.statistics.schema import parse_period
from web.messages import message_of

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(("kind", "value", "start", "end", "label"), [
    ("month", "2026-11", date(2026, 11, 1), date(2026, 11, 30), "Tháng 11/2026"),
    ("quarter", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "Quý IV/2026"),
    ("quarter", "2025-1", date(2025, 1, 1), date(2025, 3, 31), "Quý I/2025"),
    ("year", "2026", date(2026, 1, 1), date(2026, 12, 31), "Năm 2026"),
    ("week", "2026-W48", date(2026, 11, 23), date(2026, 11, 29), "Tuần 48/2026"),
    ("day", "2026-12-03", date(2026, 12, 3), date(2026, 12, 3), "Ngày 03/12/2026"),
    ("month", "", date(2026, 12, 1), date(2026, 12, 31), "Tháng 12/2026"),
    ("month", "2024-02", date(2024, 2, 1), date(2024, 2, 29), "Tháng 2/2024"),
])
def test_named_periods_and_their_labels(kind, value, start, end, label):
    period = parse_period(kind, value, today=TODAY)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_a_range_and_its_count_day():
    period = parse_period("range", start="2026-11-01", end="2026-11-15", today=TODAY)
    assert period.label == "Từ 01/11/2026 đến 15/11/2026"
    assert period.as_of(TODAY) == date(2026, 11, 15)
    assert parse_period("year", "2026", today=TODAY).as_of(TODAY) == TODAY


@pytest.mark.parametrize(("arguments", "code", "words"), [
    (dict(kind="range", start="2026-11-15", end="2026-11-01"), "statistics_period_reversed", "phải bằng hoặc sau"),
    (dict(kind="month", value="2027-01"), "statistics_period_future", "kỳ chưa bắt đầu"),
    (dict(kind="day", value="2026-12-05"), "statistics_period_future", "kỳ chưa bắt đầu"),
    (dict(kind="month", value="2026-13"), "statistics_period_value", "không hợp lệ"),
    (dict(kind="week", value="2026-W54"), "statistics_period_value", "không hợp lệ"),
    (dict(kind="day", value="03/12/2026"), "statistics_period_value", "không hợp lệ"),
    (dict(kind="range", start="2026-02-30", end="2026-03-01"), "statistics_period_value", "không hợp lệ"),
    (dict(kind="range", end="2026-03-01"), "statistics_period_start_missing", "ngày bắt đầu"),
    (dict(kind="decade", value="2020"), "statistics_period_kind", "không hợp lệ"),
])
def test_bad_periods_are_refused_in_vietnamese(arguments, code, words):
    with pytest.raises(DomainError) as refused:
        parse_period(**arguments, today=TODAY)
    assert refused.value.code == code
    assert words in message_of(refused.value)
