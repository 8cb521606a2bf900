"""Every Vietnamese message shows its values: each place that raises an error with a message whose
text has placeholders passes them all, so no page ever shows a raw ``{limit}`` (issue 14)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from web.messages import FIELD_ERROR_TEXT, MESSAGES, field_error_text

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("models", "commands", "activities", "web", "cli", "workflows", "config")
# Values ``message_of`` derives from another parameter (the size limit in MB from its bytes).
DERIVED = {"limit_mb": "limit"}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _raise_sites():
    """(file, line, code, keyword names or None when the call spreads a mapping) of each call
    that names a message code as its first argument."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                    continue
                code = node.args[0].value
                if not (isinstance(code, str) and code in MESSAGES and _placeholders(MESSAGES[code])):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                # PydanticCustomError names a field error kind (FIELD_ERROR_TEXT), not a message.
                if name == "PydanticCustomError" or not name.endswith(
                        ("Error", "Found", "Conflict", "Forbidden", "Failed", "Invalid")):
                    continue
                keywords = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
                if keywords is not None:
                    keywords |= {shown for shown, given in DERIVED.items() if given in keywords}
                yield path.relative_to(ROOT), node.lineno, code, keywords


def test_every_raise_passes_the_values_its_message_shows():
    sites = list(_raise_sites())
    assert len(sites) > 30  # the scan finds the raise sites (it would pass vacuously otherwise)
    missing = [f"{path}:{line} {code} lacks {sorted(_placeholders(MESSAGES[code]) - keywords)}"
               for path, line, code, keywords in sites
               if keywords is not None and not _placeholders(MESSAGES[code]) <= keywords]
    assert not missing, "\n".join(missing)


def test_a_field_error_without_its_limit_shows_no_placeholder():
    for kind in FIELD_ERROR_TEXT:
        text = field_error_text(kind)
        assert "{" not in text and "}" not in text, (kind, text)


def test_a_field_error_with_its_limit_names_it():
    assert field_error_text("string_too_long", {"max_length": 500}) == "tối đa 500 ký tự"
    assert field_error_text("string_too_long") == "quá dài"
    assert field_error_text("greater_than_equal", {"ge": 1}) == "phải lớn hơn hoặc bằng 1"


def test_a_message_missing_a_value_shows_no_placeholder():
    from models.errors import DomainError
    from web.messages import message_of

    text = message_of(DomainError("record_notation_taken", year=2026))
    assert "{" not in text and "2026" in text
