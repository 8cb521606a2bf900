"""Full text of PDFs: reading text layers into the index, what the index weighs, searching it.

1. Seed a SQLite file (and, with ``--postgres-url``, a PostgreSQL database): one agency, then
   ``--fulltext-docs`` documents (default 1,000), each with its own 3-page PDF of about 8,000
   characters of Vietnamese words (unaccented: the Type 1 font of a hand-made PDF has no
   Vietnamese letters) and one word of its own, all left ``text_pending`` as intake leaves them.
2. Time the text rounds (``activities.search_index.index_pending_text``, what the Reconcile
   schedule runs), each PDF read by ``text_extract.pdf_text`` in its limited child process.
3. Weigh ``document_search`` before and after (SQLite: the file, FTS5 shadow tables included;
   PostgreSQL: ``pg_total_relation_size``).
4. Time searches as the văn thư, with the passages of the page: a word of one document, two
   words found in every document (the capped case; also without passages), a prefix.

PostgreSQL runs in a schema of its own, dropped after, when ``--postgres-url`` or
``TEST_DATABASE_URL`` is given. Alone: ``python bench/fulltext.py [--fulltext-docs N] [--postgres-url URL]``.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import models.all  # noqa: E402, F401
from activities.search_index import index_pending_text  # noqa: E402
from bench.common import out, percentile, table  # noqa: E402
from bench.registers import _postgres_url  # noqa: E402
from models.db import make_engine, reading, transaction  # noqa: E402
from models.documents import search_repo  # noqa: E402
from models.documents.file_store import FileStore  # noqa: E402
from models.documents.search import SearchQuery  # noqa: E402
from models.documents.tables import Document, DocumentFile, StoredFile  # noqa: E402
from models.vocab import Direction, DocumentSource  # noqa: E402
from tests.factories import make_org  # noqa: E402

DOCUMENTS = 1_000
PAGES, LINES, QUERIES = 3, 30, 30
SYLLABLES = ("cong van de nghi bao cao tinh hinh thuc hien nhiem vu ke hoach nam uy ban nhan dan tinh so noi vu "
             "tai chinh giao duc dao tao y te cac co quan don vi ra soat bien che cong chuc vien chuc chuyen doi "
             "so hanh chinh van thu luu tru ho so quyet dinh phe duyet kinh phi trien khai thong tu nghi dinh "
             "huong dan to chuc can bo thi dua khen thuong phong chong thien tai dich benh an toan giao thong").split()


def _pdf(lines_per_page: list[list[str]]) -> bytes:
    """A PDF with one text line per entry (Helvetica, WinAnsi), built by hand like tests' ``minimal_pdf``."""
    pages = len(lines_per_page)
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{' '.join(f'{3 + 2 * i} 0 R' for i in range(pages))}] /Count {pages} >>"]
    font_id = 3 + 2 * pages
    for i, lines in enumerate(lines_per_page):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {4 + 2 * i} 0 R >>")
        stream = "BT /F1 10 Tf 40 800 Td 13 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    data = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(data)
    data += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    data += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    data += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(data)


def _document_pdf(rng: random.Random, number: int) -> bytes:
    pages = [[" ".join(rng.choice(SYLLABLES) for _ in range(20)) for _ in range(LINES)] for _ in range(PAGES)]
    pages[-1][-1] += f" dacbiet{number:06d}"
    return _pdf(pages)


def _size(engine) -> int:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return connection.execute(text("SELECT pg_total_relation_size('document_search')")).scalar_one()
        pages = connection.execute(text("PRAGMA page_count")).scalar_one()
        return pages * connection.execute(text("PRAGMA page_size")).scalar_one()


def run(engine, store: FileStore, documents: int) -> bool:
    rng = random.Random(7)
    began = time.perf_counter()
    with transaction(engine) as session:
        org = make_org(session)
        clerk = org.users["clerk"]
        for number in range(documents):
            pdf = _document_pdf(rng, number)
            stored = StoredFile(sha256=store.put(pdf), size=len(pdf), content_type="application/pdf",
                                filename=f"{number}.pdf", created_by=clerk.id)
            session.add(stored)
            session.flush()
            document = Document(id=str(uuid.uuid4()), direction=Direction.INCOMING, agency_id=org.agency_id,
                                source=DocumentSource.UPLOAD, subject=f"Công văn số {number}", type_name="Công văn",
                                organ_name="Sở Nội vụ", file_id=stored.id, created_by=clerk.id)
            session.add(document)
            session.flush()
            session.add(DocumentFile(document_id=document.id, file_id=stored.id, role="main"))
            search_repo.index_document(session, document)
    seeded = time.perf_counter() - began
    before = _size(engine)

    began, rounds, indexed = time.perf_counter(), 0, 0
    while True:
        done = index_pending_text(engine, store, budget_seconds=600)
        if not done:
            break
        rounds, indexed = rounds + 1, indexed + done
    reading_time = time.perf_counter() - began
    after = _size(engine)
    with reading(engine) as session:
        chars = session.execute(text("SELECT sum(length(text_content)) FROM document_search")).scalar_one() or 0

    timings: dict[str, list[float]] = {}
    ok = indexed == documents
    for label, query, expected, passages in (("one document's word", "dacbiet{n:06d}", 1, True),
                                             ("two common words (capped)", "bien che", None, True),
                                             ("the same, no passages", "bien che", None, False),
                                             ("a prefix", "chuye", None, True)):
        for _ in range(QUERIES):
            wanted = query.format(n=rng.randrange(documents))
            began = time.perf_counter()
            with reading(engine) as session:
                page = search_repo.search_documents(session, clerk, org.roles["clerk"], SearchQuery(text=wanted),
                                                    with_snippets=passages)
                ids = [document.id for document in page.documents]
            timings.setdefault(label, []).append(time.perf_counter() - began)
            ok &= bool(ids) and (expected is None or page.total == expected)
            ok &= not passages or all(page.snippets.get(i) for i in ids)
    out(f"  {engine.dialect.name}: {documents} PDFs of {PAGES} pages")
    rows = [("seeding (metadata rows)", f"{seeded:.1f} s"),
            ("text rounds", f"{rounds}"),
            ("reading + indexing", f"{reading_time:.1f} s"),
            ("documents per second", f"{indexed / reading_time:.1f}"),
            ("text indexed", f"{chars / 1e6:.1f} M chars"),
            ("index before text" if engine.dialect.name == "postgresql" else "database before text",
             f"{before / 2**20:.1f} MiB"),
            ("index after text" if engine.dialect.name == "postgresql" else "database after text",
             f"{after / 2**20:.1f} MiB")]
    for label, values in timings.items():
        rows.append((f"search, {label} p50/p95", f"{percentile(values, .5) * 1000:.0f}/"
                                                 f"{percentile(values, .95) * 1000:.0f} ms"))
    table(rows)
    if not ok:
        out("  FAILED: not every document indexed, or a search without its passages")
    return ok


def main(documents: int = DOCUMENTS, postgres_url: str | None = None) -> bool:
    """Run and print the section (PostgreSQL too when a URL is given or ``TEST_DATABASE_URL`` is set)."""
    postgres = postgres_url or os.environ.get("TEST_DATABASE_URL", "")
    out(f"(i) Full text: text layers of {documents} PDFs into the search index, then searches")
    ok = True
    with tempfile.TemporaryDirectory(prefix="qlvb-bench-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'fulltext.db'}")
        SQLModel.metadata.create_all(engine)
        ok &= run(engine, FileStore(Path(tmp) / "files"), documents)
        engine.dispose()
        if postgres:  # in a schema of its own, dropped after
            schema = f"bench_{uuid.uuid4().hex[:12]}"
            admin = make_engine(_postgres_url(postgres, "public"))
            with admin.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            try:
                # public stays on the path for pg_trgm; the tables go to the first schema (no check
                # first: tables of the same name in public would be taken for them).
                engine = make_engine(_postgres_url(postgres, f"{schema}%2Cpublic"))
                SQLModel.metadata.create_all(engine, checkfirst=False)
                ok &= run(engine, FileStore(Path(tmp) / "files"), documents)
                engine.dispose()
            finally:
                with admin.begin() as connection:
                    connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                admin.dispose()
    return ok


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fulltext-docs", type=int, default=DOCUMENTS)
    parser.add_argument("--postgres-url", default=None)
    arguments = parser.parse_args()
    sys.exit(0 if main(arguments.fulltext_docs, arguments.postgres_url) else 1)
