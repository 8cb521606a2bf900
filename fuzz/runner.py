"""Run one fuzz target under atheris: ``python -m fuzz.runner <target> [libFuzzer options]``.

The target's module and our own packages are instrumented for coverage; the corpus directory
(``var/fuzz/<target>``, seeded from ``tests/fuzz_corpus/<target>``) keeps what the engine learnt.
"""

from __future__ import annotations

import importlib
import sys

import atheris


def main() -> None:
    name, options = sys.argv[1], sys.argv[2:]
    with atheris.instrument_imports(include=["models", "fuzz", "pyhanko", "img2pdf", "lxml", "signxml"]):
        target = importlib.import_module(f"fuzz.{name}")

    def one_input(data: bytes) -> None:
        target.check(data)

    atheris.Setup([sys.argv[0], *options], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
