"""One term per concept in what people read (issue 14).

* Taking a group's task is "Nhận việc"; "Xử lý" is handling it. "Nhận xử lý" mixed the two.
* A password is "đặt lại"; "cấp lại" is left to what an authority re-issues (a certificate), so
  "cấp lại mật khẩu" / "cấp lại tài khoản" never appear.
* A draft has a ký hiệu but no số yet: pages show "…/VP-TH (chưa cấp số)", never "/VP-TH".

The scan reads every template, the label and message tables, the web routes and the CLI: the
strings people see.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from models.tasks.actions import ACTIONS
from web.filters import number_shown
from web.labels import AUDIT_LABELS

ROOT = Path(__file__).resolve().parents[2]
BANNED = {
    r"nhận xử lý": "claiming a task is “Nhận việc”; “Xử lý” is handling it",
    r"cấp lại mật khẩu": "a password is “đặt lại” (Đặt lại mật khẩu)",
    r"cấp lại tài khoản": "a password is “đặt lại” (Đặt lại mật khẩu)",
    r"mật khẩu vừa được cấp lại": "a password is “đặt lại”",
    r"\bCấp lại\b(?! chứng thư)": "“Cấp lại” alone on a button or title is ambiguous: name what is re-issued",
}


def _python_strings(path: Path) -> list[str]:
    """The string literals of a module (docstrings and comments are for developers, but a literal
    may be shown; f-strings are read by their constant parts)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def _shown_texts():
    for path in sorted((ROOT / "web" / "templates").rglob("*.html")):
        yield path.relative_to(ROOT), path.read_text(encoding="utf-8")
    for pattern in ("web/*.py", "cli/*.py", "models/wording.py", "models/tasks/actions.py"):
        for path in sorted(ROOT.glob(pattern)):
            yield path.relative_to(ROOT), "\n".join(_python_strings(path))


def test_the_scan_reads_the_pages_and_the_tables():
    names = {str(path) for path, _ in _shown_texts()}
    assert "web/templates/inbox/_rows.html" in names and "web/labels.py" in names and "web/messages.py" in names


@pytest.mark.parametrize("pattern", sorted(BANNED))
def test_no_page_or_table_uses_a_banned_wording(pattern):
    found = [f"{path}: …{text[max(m.start() - 30, 0):m.end() + 30]}…".replace("\n", " ")
             for path, text in _shown_texts() for m in re.finditer(pattern, text, re.IGNORECASE if pattern.islower()
                                                                   else 0)]
    assert not found, f"{BANNED[pattern]}:\n" + "\n".join(found)


def test_the_scan_would_find_a_banned_wording():
    assert re.search("nhận xử lý", "Chờ Nhận xử lý", re.IGNORECASE)
    assert re.search(r"\bCấp lại\b(?! chứng thư)", "<button>Cấp lại</button>")
    assert not re.search(r"\bCấp lại\b(?! chứng thư)", "Cấp lại chứng thư số")


def test_claiming_and_handling_have_their_own_words():
    assert AUDIT_LABELS["task.claimed"] == "Nhận việc"
    labels = {spec.label for spec in ACTIONS.values()}
    assert "Nhận việc" not in labels  # no decision is called what a claim is called
    assert AUDIT_LABELS["user.reset"] == "Đặt lại mật khẩu"


def test_a_draft_shows_its_notation_with_no_number_yet():
    assert number_shown("", "VP-TH") == "…/VP-TH (chưa cấp số)"
    assert number_shown(None, "VP-TH") == "…/VP-TH (chưa cấp số)"
    assert number_shown("12", "VP-TH") == "12/VP-TH"
    assert number_shown("12", "") == "12"
    assert number_shown("", "") == ""
    assert not number_shown("", "QĐ-UBND").startswith("/")


def test_pages_format_numbers_through_the_one_formatter():
    """Templates call the ``so_ky_hieu`` filter, which is ``number_shown``; none glues số and ký
    hiệu itself (``code_number }}/{{``), which would print "/VP-TH" for a draft."""
    from jinja2 import Environment

    from web.filters import register

    env = Environment(autoescape=True)
    register(env)
    assert env.filters["so_ky_hieu"] is number_shown
    glued = [str(path) for path, text in _shown_texts() if str(path).endswith(".html")
             and re.search(r"code_number\s*}}\s*/\s*{{", text)]
    assert not glued
