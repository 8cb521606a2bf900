"""The typed-text rule (models/text.py) and the boundaries that apply it."""

from __future__ import annotations

import pytest

from models.errors import DomainError
from models.tasks.actions import validate_fields
from models.text import refuse_unsafe_text, text_problem


@pytest.mark.parametrize("text, multiline, problem", [
    ("Công văn số 12/UBND-TH", False, None),
    ("Dòng một\nDòng hai\tcột", True, None),
    ("Dòng một\nDòng hai", False, "control_character"),
    ("V/v\x00", True, "control_character"),
    ("\x07chuông", True, "control_character"),
    ("\x7f", True, "control_character"),
    ("abc\u202edef", True, "bidi_control"),
    ("abc\u2067def", True, "bidi_control"),
    ("Hà Nội ‑ Việt Nam", True, None),  # a non-breaking hyphen is ordinary text
])
def test_it_names_the_problem_of_a_text(text, multiline, problem):
    assert text_problem(text, multiline=multiline) == problem


def test_a_decision_text_field_with_an_override_is_refused_before_the_workflow():
    with pytest.raises(DomainError) as refused:
        validate_fields(None, 1, "tra_lai", {"reason": "Sai nơi nhận\u202e"})
    assert refused.value.code == "invalid_fields"
    assert refused.value.params["fields"] == {"reason": "bidi_control"}


def test_a_single_line_field_refuses_a_line_break():
    with pytest.raises(DomainError) as refused:
        refuse_unsafe_text(multiline=False, full_name="Nguyễn Văn\nA", position="Chuyên viên")
    assert refused.value.params["fields"] == {"full_name": "control_character"}
