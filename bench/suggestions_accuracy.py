"""Metadata suggestions: per-field accuracy and precision on the generated ND30 evaluation set.

``python bench/suggestions_accuracy.py`` builds the evaluation set of ``tests/suggestion_corpus.py``
(documents issued by QLVB's own renderer and other layouts drawn in the same ND30 form, some with
OCR noise, each with its known answer), reads each PDF as the intake form does (text layer, filled
form fields, then ``suggest_metadata``) and prints, per field, how often the suggestion is right
(accuracy, i.e. recall over all documents), how often a suggestion made is right (precision), and
the accuracy per family of layouts. ``--wrong`` lists every wrong or missing suggestion.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import out  # noqa: E402
from tests.suggestion_corpus import FIELDS, corpus, measure, suggest_from_pdf  # noqa: E402

LABELS = {"code_number": "số", "code_notation": "ký hiệu", "issued_date": "ngày", "organ_name": "cơ quan",
          "type_name": "tên loại", "subject": "trích yếu"}


def main(show_wrong: bool = False) -> bool:
    """Print the table; return whether every field was suggested for at least one document."""
    started = time.perf_counter()
    samples = corpus()
    built = time.perf_counter() - started
    started = time.perf_counter()
    result = measure(samples, suggest_from_pdf)
    read = time.perf_counter() - started
    out(f"Metadata suggestions on {result.samples} generated ND30 documents "
        f"(built in {built:.1f} s, read and suggested in {read:.1f} s)")
    out(f"    {'field':<16}{'accuracy':>10}{'precision':>11}")
    for name in FIELDS:
        out(f"    {LABELS[name]:<16}{result.accuracy(name):>10.2f}{result.precision(name):>11.2f}")
    out()
    out(f"    {'family (n)':<16}" + "".join(f"{LABELS[name]:>11}" for name in FIELDS))
    for family, scores in sorted(result.by_family.items()):
        count = sum(sample.family == family for sample in samples)
        out(f"    {f'{family} ({count})':<16}" + "".join(f"{scores[name]:>11.2f}" for name in FIELDS))
    if show_wrong:
        out()
        for sample, name, got, expected in result.wrong:
            out(f"    {sample:<22} {LABELS[name]:<10} got {got!r}, expected {expected!r}")
    return all(result.suggested[name] for name in FIELDS)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong", action="store_true", help="list the wrong or missing suggestions")
    sys.exit(0 if main(parser.parse_args().wrong) else 1)
