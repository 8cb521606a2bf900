"""edXML packages parsed and built per second with a 2 MB attachment (issue 5 "Benchmarks").

A document package like the ones QLVB sends (metadata, one 2 MB PDF attachment), built with
``build_package`` and parsed with ``parse_package`` (hardened parser, base64 decoding, attachment
checks), one thread, warm. Parse ∘ build must give back the same package every time.
Alone: ``python bench/edxml_speed.py [--edxml-rounds N]``.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import out, percentile, table  # noqa: E402
from models.exchange.edxml.build import build_package  # noqa: E402
from models.exchange.edxml.package import (
    Attachment,
    Business,
    BusinessDocType,
    Code,
    EdocPackage,
    Organization,
    PromulgationInfo,
    SignerInfo,
)
from models.exchange.edxml.parse import parse_package  # noqa: E402

ROUNDS = 30
ATTACHMENT_BYTES = 2 * 1024 * 1024


def sample_package() -> EdocPackage:
    # Random bytes do not compress: the worst case for base64 and for the size checks.
    pdf = b"%PDF-1.7\n" + os.urandom(ATTACHMENT_BYTES - 9)
    return EdocPackage(
        sender=Organization("000.00.01.H23", "Văn phòng Ủy ban nhân dân tỉnh Hà Nam"),
        recipients=(Organization("000.00.00.G09", "Bộ Nội vụ"),),
        document_id="000.00.01.H23,2026/11/26,125/UBND-VP", code=Code("125", "UBND-VP"),
        promulgation=PromulgationInfo(place="Hà Nam", date=date(2026, 11, 26)),
        subject="Về việc báo cáo tình hình thực hiện chuyển đổi số năm 2026",
        signer=SignerInfo(competence="KT. CHỦ TỊCH", position="PHÓ CHỦ TỊCH", full_name="Trần Văn Minh"),
        business=Business(doc_type=BusinessDocType.NEW),
        attachments=(Attachment(content_id="a1", name="125-UBND-VP.pdf", content_type="application/pdf", data=pdf),),
    )


def main(rounds: int = ROUNDS) -> bool:
    """Run and print the section; return whether every round trip gave the same package."""
    out(f"(g) edXML: build and parse a package with a {ATTACHMENT_BYTES // (1024 * 1024)} MB attachment, "
        f"{rounds} rounds, one thread")
    package = sample_package()
    build_package(package)  # warm-up
    builds, parses, same = [], [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        data = build_package(package)
        built = time.perf_counter()
        parsed = parse_package(data)
        parses.append(time.perf_counter() - built)
        builds.append(built - started)
        same += parsed.package == package and not parsed.errors
    table([
        ("package size", f"{len(data) / 1024 / 1024:.2f} MiB"),
        ("built per second", f"{len(builds) / sum(builds):.1f}"),
        ("parsed per second", f"{len(parses) / sum(parses):.1f}"),
        ("build p50 / p95", f"{percentile(builds, .5) * 1000:.1f} / {percentile(builds, .95) * 1000:.1f} ms"),
        ("parse p50 / p95", f"{percentile(parses, .5) * 1000:.1f} / {percentile(parses, .95) * 1000:.1f} ms"),
        ("parse(build(p)) == p", f"{same}/{rounds}"),
    ])
    return same == rounds


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edxml-rounds", type=int, default=ROUNDS)
    sys.exit(0 if main(parser.parse_args().edxml_rounds) else 1)
