"""The side-by-side comparison of two revisions (models/outgoing/compare.py): lines paired with
their numbers, changed words marked inside a changed line, long unchanged runs folded."""

from __future__ import annotations

from models.outgoing.compare import Part, side_by_side, word_diff


def _marked(parts) -> list[str]:
    return [part.text for part in parts if part.changed]


def test_a_changed_line_marks_only_the_words_that_changed():
    old, new = word_diff("Đề nghị Sở Nội vụ báo cáo trước ngày 15/12/2026.",
                         "Đề nghị Sở Tài chính báo cáo trước ngày 20/12/2026.")
    assert "".join(p.text for p in old) == "Đề nghị Sở Nội vụ báo cáo trước ngày 15/12/2026."
    assert "".join(p.text for p in new) == "Đề nghị Sở Tài chính báo cáo trước ngày 20/12/2026."
    assert _marked(old) == ["Nội vụ", "15"] and _marked(new) == ["Tài chính", "20"]
    assert Part("Đề nghị Sở ") in new  # the unchanged words stay plain


def test_lines_are_paired_with_their_numbers_on_each_side():
    old = ["Kính gửi: Sở Nội vụ", "Nội dung cũ", "Dòng bỏ đi", "Nơi nhận"]
    new = ["Kính gửi: Sở Nội vụ", "Nội dung mới", "Nơi nhận", "Dòng thêm vào"]
    rows = side_by_side(old, new)
    assert [(r.kind, r.old_number, r.new_number) for r in rows] == [
        ("equal", 1, 1), ("change", 2, 2), ("delete", 3, None), ("equal", 4, 3), ("insert", None, 4)]
    changed = rows[1]
    assert _marked(changed.old) == ["cũ"] and _marked(changed.new) == ["mới"]
    assert rows[2].old == (Part("Dòng bỏ đi", True),) and rows[2].new == ()


def test_long_unchanged_runs_are_folded_around_the_changes():
    old = [f"Dòng {n}" for n in range(1, 21)]
    new = list(old)
    new[9] = "Dòng mười đã sửa"
    rows = side_by_side(old, new, context=2)
    assert [r.kind for r in rows] == ["fold", "equal", "equal", "change", "equal", "equal", "fold"]
    assert (rows[0].folded, rows[-1].folded) == (7, 8)
    assert (rows[3].old_number, rows[3].new_number) == (10, 10)


def test_identical_texts_have_no_change_rows():
    rows = side_by_side(["a", "b"], ["a", "b"])
    assert all(row.kind in ("equal", "fold") for row in rows)
    assert side_by_side([], []) == []
