"""QLVB benchmarks (issue 3 "Benchmarks"). Not tests: ``make test`` never runs them.

Run from the repository root: ``python bench/run.py`` (or ``make bench``). Sections, each also
runnable alone with ``--only NAME`` (or ``python bench/NAME.py``):

    registers     (a) gapless number allocation, 1 and 8 threads (bench/registers.py)
    intake        (b) N incoming documents end to end next to a bare workflow (bench/intake.py)
    inbox_search  (c) inbox and search latency on a large seeded corpus, 50 users (bench/inbox_search.py)
    signatures    (d) check_pdf_signatures per second, 0/1/2 signatures (bench/signatures.py)
    numbering     (e) 32 issuers on one outgoing register next to the raw counter update (bench/numbering.py)
    issuing       (f) approve → issued for N outgoing documents, then validations of the issued files
                      (bench/issuing.py)
    edxml         (g) edXML packages built and parsed per second with a 2 MB attachment (bench/edxml_speed.py)
    exchange      (h) two installations through one hub: A issues → B stores, A sees 01, A sees 03
                      (B's văn thư registers at once), one document at a time (bench/exchange_latency.py)
    fulltext      (i) text layers of N PDFs read into the search index, its size, searches with passages
                      (bench/fulltext.py; PostgreSQL too with ``--postgres-url``)
    records       (j) N documents filed into one hồ sơ, closed and exported as a BagIt zip: times, peak
                      memory, the ratio to copying the same files (bench/records_export.py)
    statistics    (k) the province-year statistics dashboard on N documents over 300 agencies from the
                      rollups, p50/p95, and the ratio to the direct COUNT queries (bench/statistics.py;
                      PostgreSQL instead with ``--postgres-url``)
    document_lists (l) a page of văn bản đến for the busiest agency at N documents: first, deep, filtered,
                      a chuyên viên's (bench/document_lists.py; PostgreSQL instead with ``--postgres-url``)
    pages         (m) the inbox and a document page in Chromium against the real app at N documents:
                      server time, DOMContentLoaded, load, first PDF page drawn (bench/page_timing.py)
    requests      (n) one request alone at N documents, through ASGI: server and CPU time, thread-pool hops,
                      SQL statements and their time, template time (bench/request_profile.py; PostgreSQL
                      instead with ``--postgres-url``)

Options: ``--intake-docs N`` (default 50), ``--documents N`` (corpus of (c), default 200,000;
``--documents 1000000`` is the issue's full figure), ``--users`` and ``--iterations`` for (c),
``--numbering-count N`` (default 2,000) and ``--postgres-url`` (default ``TEST_DATABASE_URL``) for (e),
``--issuing-docs N`` (default 10) for (f), ``--exchange-docs N`` (default 10) for (h),
``--fulltext-docs N`` (default 1,000) for (i), ``--records-docs N`` (default 1,000) for (j),
``--statistics-docs N`` (default 1,000,000) for (k), ``--lists-docs N`` (default 1,000,000) for (l),
``--pages-docs N`` (default 1,000,000) for (m), ``--requests-docs N`` (default 1,000,000) for (n).
Exits 0 when every run was consistent and no operation failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (  # noqa: E402
    document_lists,
    edxml_speed,
    exchange_latency,
    fulltext,
    inbox_search,
    intake,
    issuing,
    numbering,
    page_timing,
    records_export,
    registers,
    request_profile,
    signatures,
    statistics,
)
from bench.common import out  # noqa: E402

SECTIONS = ("registers", "intake", "inbox_search", "signatures", "numbering", "issuing", "edxml", "exchange",
            "fulltext", "records", "statistics", "document_lists", "pages", "requests")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="QLVB benchmarks")
    parser.add_argument("--only", choices=SECTIONS, action="append",
                        help="run only this section (repeatable)")
    parser.add_argument("--intake-docs", type=int, default=intake.DOCUMENTS)
    parser.add_argument("--documents", type=int, default=inbox_search.DOCUMENTS,
                        help="corpus size of inbox_search (issue 3: 1000000)")
    parser.add_argument("--users", type=int, default=inbox_search.USERS)
    parser.add_argument("--iterations", type=int, default=inbox_search.ITERATIONS)
    parser.add_argument("--signature-iterations", type=int, default=signatures.ITERATIONS)
    parser.add_argument("--numbering-count", type=int, default=numbering.COUNT)
    parser.add_argument("--issuing-docs", type=int, default=issuing.DOCUMENTS)
    parser.add_argument("--exchange-docs", type=int, default=exchange_latency.DOCUMENTS)
    parser.add_argument("--fulltext-docs", type=int, default=fulltext.DOCUMENTS)
    parser.add_argument("--records-docs", type=int, default=records_export.DOCUMENTS)
    parser.add_argument("--statistics-docs", type=int, default=statistics.DOCUMENTS)
    parser.add_argument("--lists-docs", type=int, default=document_lists.DOCUMENTS)
    parser.add_argument("--pages-docs", type=int, default=page_timing.DOCUMENTS)
    parser.add_argument("--requests-docs", type=int, default=request_profile.DOCUMENTS)
    parser.add_argument("--postgres-url", default=None, help="PostgreSQL for numbering (default: TEST_DATABASE_URL)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    wanted = args.only or list(SECTIONS)
    began = time.perf_counter()
    ok = True
    for section in SECTIONS:
        if section not in wanted:
            continue
        if section == "registers":
            ok &= registers.main()
        elif section == "intake":
            ok &= intake.main(args.intake_docs)
        elif section == "inbox_search":
            ok &= inbox_search.main(args.documents, args.users, args.iterations)
        elif section == "signatures":
            ok &= signatures.main(args.signature_iterations)
        elif section == "numbering":
            ok &= numbering.main(args.numbering_count, args.postgres_url)
        elif section == "issuing":
            ok &= issuing.main(args.issuing_docs)
        elif section == "edxml":
            ok &= edxml_speed.main()
        elif section == "exchange":
            ok &= exchange_latency.main(args.exchange_docs)
        elif section == "fulltext":
            ok &= fulltext.main(args.fulltext_docs, args.postgres_url)
        elif section == "records":
            ok &= records_export.main(args.records_docs)
        elif section == "statistics":
            ok &= statistics.main(args.statistics_docs, postgres_url=args.postgres_url)
        elif section == "document_lists":
            document_lists.main(args.lists_docs, postgres_url=args.postgres_url)
        elif section == "pages":
            ok &= page_timing.main(args.pages_docs)
        elif section == "requests":  # the goals are reported beside each figure, not a consistency check
            request_profile.main(args.requests_docs, postgres_url=args.postgres_url)
        out()
    out(f"total bench time {time.perf_counter() - began:.1f} s; {'OK' if ok else 'INCONSISTENT'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
