"""Signature validations per second: ``models.signing.verification.check_pdf_signatures``, warm.

Three files: an unsigned PDF, one PAdES signature and two (the second an incremental update on
the first, as a countersignature), all made with the demo PKI as the tests do; trust anchors are
the demo root. Each is checked a few times to warm up, then ``ITERATIONS`` times in a row.
Alone: ``python bench/signatures.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import out, percentile  # noqa: E402
from bench.intake import sign  # noqa: E402
from config.settings import Settings  # noqa: E402
from models.signing import pki  # noqa: E402
from models.signing.demo_pki import ensure_demo_pki  # noqa: E402
from models.signing.verification import check_pdf_signatures  # noqa: E402
from tests.conftest import minimal_pdf  # noqa: E402

ITERATIONS = 200
WARMUP = 5


def bench_signatures(iterations: int = ITERATIONS) -> list[tuple[str, str, float, float, float]]:
    """Return rows of (file, verdict, checks per second, p50 ms, p95 ms)."""
    with tempfile.TemporaryDirectory(prefix="qlvb-bench-sig-") as temp:
        settings = Settings(var_dir=Path(temp))
        ensure_demo_pki(settings)
        roots = pki.trust_anchor_certificates(settings)
        plain = minimal_pdf(2)
        one = sign(plain, settings, "lanhdao")
        # The second signature is the agency's (the seal), as ND30 has it after the leader's.
        agency = next(i.slug for i in pki.demo_identities() if i.kind == "agency")
        two = sign(one, settings, agency, field_name="CoQuan")
        rows = []
        for label, pdf, expected in (("unsigned", plain, 0), ("1 signature", one, 1), ("2 signatures", two, 2)):
            for _ in range(WARMUP):
                report = check_pdf_signatures(pdf, roots)
            assert len(report.signatures) == expected, (label, report.verdict)
            times = []
            began = time.perf_counter()
            for _ in range(iterations):
                before = time.perf_counter()
                report = check_pdf_signatures(pdf, roots)
                times.append(time.perf_counter() - before)
            elapsed = time.perf_counter() - began
            rows.append((f"{label} ({len(pdf):,} B)", report.verdict, iterations / elapsed,
                         percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000))
    return rows


def main(iterations: int = ITERATIONS) -> bool:
    out(f"(d) Signature validations: check_pdf_signatures, warm, {iterations} iterations each, one thread")
    out(f"    {'file':<26} {'verdict':<10} {'checks/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
    rows = bench_signatures(iterations)
    for label, verdict, rate, p50, p95 in rows:
        out(f"    {label:<26} {verdict:<10} {rate:>9.1f} {p50:>8.2f} {p95:>8.2f}")
    return rows[1][1] == "valid" and rows[2][1] == "valid"


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
