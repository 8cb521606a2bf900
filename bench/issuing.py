"""Approve → issued, and validations of issued files (issue 4 "Benchmarks").

(1) N outgoing drafts go through the real OutgoingDocument workflow on a Temporal dev server
    with the real activities, on a SQLite file, up to the signing step. Then, one document at a
    time, the clock runs from the signer's approval being applied to the document being issued:
    the leader's PAdES signature (demo PKCS#12, blue stamp), the ``ky_so`` decision, the văn thư's
    ``ban_hanh`` decision whose activity takes the number, writes số/ngày into the fields, applies
    the agency signature with the seal and validates the result.
(2) Every issued file is then validated again, repeatedly, with ``check_pdf_signatures`` (the
    check a recipient runs): validations per second, one thread, warm.

Alone: ``python bench/issuing.py [--issuing-docs N]``.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import SQLModel  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402

import models.all  # noqa: E402, F401
from bench.common import TEMPORAL_BIN, out, percentile, table  # noqa: E402
from models.db import make_engine, transaction  # noqa: E402
from models.documents.file_store import FileStore  # noqa: E402
from models.documents.tables import Document, StoredFile  # noqa: E402
from models.seed.demo import seed_demo  # noqa: E402
from models.signing import pki  # noqa: E402
from models.signing.demo_pki import ensure_demo_pki  # noqa: E402
from models.signing.tables import SignatureVerdict  # noqa: E402
from models.signing.verification import check_pdf_signatures
from models.vocab import DocumentStatus  # noqa: E402
from tests.helpers import make_settings, running_worker  # noqa: E402
from tests.outgoing_helpers import act_on_step, draft_document, sign_as_leader, submit_draft  # noqa: E402
from workflows import search_attributes  # noqa: E402

DOCUMENTS = 10
VALIDATION_ROUNDS = 20


async def _issue_all(temp: Path, count: int) -> dict:
    engine = make_engine(f"sqlite:///{temp / 'qlvb.db'}")
    SQLModel.metadata.create_all(engine)
    with transaction(engine) as session:
        seed_demo(session, "Bench@2026pass")
    settings = make_settings(temp, f"bench-issue-{uuid.uuid4()}")
    ensure_demo_pki(settings)
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_BIN), search_attributes=search_attributes.ALL, ui=False)
    sign_s, issue_s, total_s, issued = [], [], [], []
    try:
        client = env.client
        async with running_worker(client, engine, settings):
            documents = [draft_document(engine, settings) for _ in range(count)]
            for document in documents:
                await submit_draft(engine, client, settings, document)
            for i, document in enumerate(documents):
                await act_on_step(engine, client, "truongphong", document.id, "review", "duyet", f"b{i}r")
                await act_on_step(engine, client, "vanthu", document.id, "format_check", "duyet", f"b{i}f")
                await act_on_step(engine, client, "lanhdao", document.id, "approve", "duyet", f"b{i}a")
                started = time.perf_counter()
                await sign_as_leader(engine, client, settings, document.id, f"b{i}s")
                signed = time.perf_counter()
                outcome = await act_on_step(engine, client, "vanthu", document.id, "issue", "ban_hanh", f"b{i}i")
                done = time.perf_counter()
                sign_s.append(signed - started)
                issue_s.append(done - signed)
                total_s.append(done - started)
                issued.append(outcome.document_status == DocumentStatus.ISSUED)
        store = FileStore(settings.files_dir)
        with transaction(engine) as session:
            files = [store.read(session.get(StoredFile, session.get(Document, d.id).file_id).sha256)
                     for d in documents]
            numbers = sorted(int(session.get(Document, d.id).code_number) for d in documents)
    finally:
        await env.shutdown()
        engine.dispose()
    return {
        "sign": sign_s, "issue": issue_s, "total": total_s, "issued": sum(issued),
        "numbers_ok": numbers == list(range(1, count + 1)), "files": files,
        "roots": pki.trust_anchor_certificates(settings),
    }


def _validate(files: list[bytes], roots) -> dict:
    """What a recipient does with each issued file, repeatedly, one thread, warm."""
    check_pdf_signatures(files[0], roots)  # warm-up: imports and caches
    verdicts = []
    began = time.perf_counter()
    for _ in range(VALIDATION_ROUNDS):
        for data in files:
            report = check_pdf_signatures(data, roots)
            verdicts.append(report.verdict == SignatureVerdict.VALID and len(report.signatures) == 2)
    elapsed = time.perf_counter() - began
    return {"validations_per_s": len(verdicts) / elapsed, "valid": sum(verdicts), "validations": len(verdicts),
            "size_kb": sum(len(f) for f in files) / len(files) / 1024}


def main(count: int = DOCUMENTS) -> bool:
    """Run and print the section; return whether every document was issued and validates."""
    out(f"(f) Approve → issued: {count} outgoing documents, SQLite file + dev server, real workflow; "
        f"then validations of the issued files")
    temp = Path(tempfile.mkdtemp(prefix="qlvb-bench-issuing-"))
    try:
        result = asyncio.run(_issue_all(temp, count))
        result.update(_validate(result["files"], result["roots"]))
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    ms = lambda values, q: f"{percentile(values, q) * 1000:.0f}"  # noqa: E731
    table([
        ("leader signature + ky_so decision p50 / p95", f"{ms(result['sign'], .5)} / {ms(result['sign'], .95)} ms"),
        ("issue (number, fill, seal, validate) p50 / p95",
         f"{ms(result['issue'], .5)} / {ms(result['issue'], .95)} ms"),
        ("approve → issued p50 / p95", f"{ms(result['total'], .5)} / {ms(result['total'], .95)} ms"),
        ("issued / numbers 01..N without gaps", f"{result['issued']}/{count} / {result['numbers_ok']}"),
        ("issued file size (mean)", f"{result['size_kb']:.0f} KiB"),
        ("validations of issued files per second (2 signatures each)", f"{result['validations_per_s']:.1f}"),
        ("valid / validations", f"{result['valid']}/{result['validations']}"),
    ])
    return result["issued"] == count and result["numbers_ok"] and result["valid"] == result["validations"]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issuing-docs", type=int, default=DOCUMENTS)
    sys.exit(0 if main(parser.parse_args().issuing_docs) else 1)
