"""Every input in the fuzz regression corpus goes through its target's ``check`` without a crash.

``tests/fuzz_corpus/<target>/`` holds the seeds (``fuzz/make_seeds.py``) and every crash
``make fuzz`` ever found (``crash-*``, kept after the fix). A crash is any exception other than
the target's typed refusal; ``check`` is the same function the fuzzer calls.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from fuzz import TARGETS

CORPUS = Path(__file__).resolve().parents[1] / "fuzz_corpus"
CASES = [(target, path) for target in TARGETS for path in sorted((CORPUS / target).iterdir())]


def test_every_target_has_a_seeded_corpus():
    for target in TARGETS:
        assert len(list((CORPUS / target).glob("seed-*"))) >= 3, target


@pytest.mark.parametrize(("target", "path"), CASES, ids=[f"{t}/{p.name}" for t, p in CASES])
def test_a_corpus_input_does_not_crash_its_target(target, path):
    importlib.import_module(f"fuzz.{target}").check(path.read_bytes())
