"""The server-rendered charts (web/charts.py) and the figure rows behind the supervision pages
(models/publications/figures.py): accessible, escaped, numbers written out, sums and sorting right."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from models.publications.figures import figures_of, sort_rows, total
from web.charts import ShareBar, TrendPoint, percent, share_chart, trend_chart


def test_the_trend_chart_labels_every_bar_with_its_number_and_describes_itself():
    points = [TrendPoint("T1", {"received": 1200, "issued": 30}), TrendPoint("T2", {"received": 0, "issued": 7})]
    svg = str(trend_chart(points, {"received": "Tiếp nhận", "issued": "Ban hành"}, title="Văn bản theo tháng"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "aria-labelledby" in svg
    assert re.search(r"<title id=\"[^\"]+\">Văn bản theo tháng</title>", svg)
    assert "<desc" in svg and "T1: Tiếp nhận 1.200, Ban hành 30; T2: Tiếp nhận 0, Ban hành 7" in svg
    assert svg.count("<rect") == 4 + 2  # a bar per value, a swatch per legend entry
    assert ">1.200</text>" in svg and ">0</text>" not in svg and "style=" not in svg  # the CSP forbids inline styles
    assert svg.count(">Văn bản theo tháng<") == 2  # its accessible name, and the title shown on top


def test_the_share_chart_escapes_names_links_rows_and_says_when_nothing_finished():
    bars = [ShareBar("Sở <Nội vụ>", 3, 4, href="/statistics/province/agency/2?kind=month&value=2026-11"),
            ShareBar("Sở Tài chính", 0, 0)]
    svg = str(share_chart(bars, title="Tỷ lệ đúng hạn"))
    assert "Sở &lt;Nội vụ&gt;" in svg and "<Nội vụ>" not in svg
    assert 'href="/statistics/province/agency/2?kind=month&amp;value=2026-11"' in svg
    assert "75% (3/4)" in svg and "chưa có văn bản hoàn thành" in svg
    assert (percent(0.875), percent(1.0), percent(None), percent(0.3333)) == ("87,5%", "100%", "—", "33,3%")


@dataclass
class Row:
    key: int
    label: str
    received: int = 0
    finished_on_time: int = 0
    finished_late: int = 0
    overdue: int = 0
    avg_handling_days: float | None = None
    received_by_source: dict[str, int] = field(default_factory=dict)


def test_rows_add_up_with_a_weighted_average_and_sort_with_empty_values_last():
    a = figures_of(Row(1, "Sở B", received=5, finished_on_time=3, finished_late=1, overdue=2, avg_handling_days=2.0,
                       received_by_source={"hub": 5}))
    b = figures_of(Row(2, "Sở A", received=2, finished_on_time=0, finished_late=0, overdue=7))
    c = figures_of(Row(3, "sở C", received=1, finished_on_time=1, finished_late=0, avg_handling_days=6.0,
                       received_by_source={"hub": 1, "paper": 0}))
    summed = total([a, b, c])
    assert (summed["received"], summed["overdue"], summed["received_by_source"]) == (8, 9, {"hub": 6, "paper": 0})
    assert summed["avg_handling_days"] == round((2.0 * 4 + 6.0 * 1) / 5, 2) and summed["on_time_share"] == 0.8
    assert [r["label"] for r in sort_rows([a, b, c], "overdue", True)] == ["Sở A", "Sở B", "sở C"]
    assert [r["label"] for r in sort_rows([a, b, c], "on_time_share", False)] == ["Sở B", "sở C", "Sở A"]
    assert [r["label"] for r in sort_rows([a, b, c], "label", False)] == ["Sở A", "Sở B", "sở C"]
    assert [r["label"] for r in sort_rows([a, b, c], "drop table", True)] == ["Sở A", "Sở B", "sở C"]
