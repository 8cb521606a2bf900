"""No broad exception handler in code that activities run may swallow a cancellation.

Temporal stops a thread-pool activity by raising its CancelledError inside the thread; a broad
``except Exception`` that turns it into a result records the stop of a process as a fact about a
document (models/errors.py, ``INTERRUPTIONS``). Every broad handler in ``models/``,
``activities/`` and ``worker.py`` either comes after ``except INTERRUPTIONS: raise`` in the same
``try`` or re-raises what it caught.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from models.errors import INTERRUPTIONS
from models.signing import demo_pki

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "models").rglob("*.py"), *(ROOT / "activities").rglob("*.py"), ROOT / "worker.py"])
BROAD = {"Exception", "BaseException"}


def _names(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return {"BaseException"}  # a bare except
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {ast.unparse(node).split(".")[-1] for node in nodes}


def _re_raises(handler: ast.ExceptHandler) -> bool:
    last = handler.body[-1]
    return isinstance(last, ast.Raise) and last.exc is None


def _swallowing_handlers(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Try | ast.TryStar):
            continue
        passed_through = False
        for handler in node.handlers:
            names = _names(handler)
            if "INTERRUPTIONS" in names and _re_raises(handler):
                passed_through = True
            elif names & BROAD and not passed_through and not _re_raises(handler):
                found.append(f"{path.relative_to(root)}:{handler.lineno}")
    return found


def test_no_broad_handler_swallows_a_cancellation():
    offenders = [where for path in SOURCES for where in _swallowing_handlers(path)]
    assert offenders == [], "add `except INTERRUPTIONS: raise` before these handlers"


def test_the_checker_sees_a_swallowing_handler(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("try:\n    pass\nexcept Exception:\n    result = 'invalid'\n")
    good = tmp_path / "good.py"
    good.write_text("try:\n    pass\nexcept INTERRUPTIONS:\n    raise\nexcept Exception:\n    result = 1\n")
    assert _swallowing_handlers(bad, tmp_path) == ["bad.py:3"]
    assert _swallowing_handlers(good, tmp_path) == []


def test_a_cancellation_inside_pyhanko_passes_through_the_check(monkeypatch, tmp_path):
    """The pure check lets Temporal's CancelledError out instead of calling the file broken."""
    import pyhanko.sign.validation as validation
    from temporalio.exceptions import CancelledError

    from config.settings import Settings
    from models.signing import pki
    from models.signing.verification import check_pdf_signatures
    from tests.activities.test_signature_check import sign
    from tests.conftest import minimal_pdf

    assert CancelledError in INTERRUPTIONS
    settings = Settings(var_dir=tmp_path)
    demo_pki.ensure_demo_pki(settings)
    signed = sign(minimal_pdf(1), settings)

    def cancelled(*args, **kwargs):
        raise CancelledError("worker stopping")

    monkeypatch.setattr(validation, "validate_pdf_signature", cancelled)
    with pytest.raises(CancelledError):
        check_pdf_signatures(signed, pki.trust_anchor_certificates(settings))
