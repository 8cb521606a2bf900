"""Preparing a hồ sơ's package once, in a child process (``models.records.package_repo`` says when).

``run_build`` writes the plan into a scratch folder and runs ``python -m models.records.bag`` on
it. The child prepares the package from the plan alone (no database), printing one JSON line per
step of progress, and finally its ``BuildResult``; the caller relays the progress (heartbeats, the
progress row) and kills the child's process group if it is itself stopped. A child because
WeasyPrint, pikepdf and Ghostscript take their memory there, and it is all given back at the end,
whatever the size of the hồ sơ; a stopped build is killed with everything it started.

The build (``build``), in order: the PDF/A copies not made before (Ghostscript, ``plan.jobs`` at
a time, each stored in the file store as it is made); each document's files named in the
package (``van-ban/NNNN/…``, nothing copied) and its pages counted; the Mục lục (``cover``);
``ho-so.pdf`` joined from the Mục lục and each document's PDF/A copy (its original when it has
none), with a bookmark per document; ``ho-so.xml`` (``export_xml``). Both are put in the file
store, and so is the listing (``PreparedPackage``: every payload path with its blob's SHA-256 and
size). An export then only writes those blobs into a zip (``bag_zip``). The joined PDF holds one
source (and one of its streams) in memory at a time.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

from models.db import utcnow
from models.documents.file_store import FileStore
from models.documents.preservation import PreservationFailed, make_pdfa
from models.errors import DomainError
from models.records import cover
from models.records.export import (
    BuildResult,
    ExportPlan,
    PackageFile,
    PlannedDocument,
    PreparedPackage,
    ascii_name,
)
from models.records.export_xml import write_metadata
from models.records.pdf_join import PdfJoiner

PROJECT_ROOT = Path(__file__).resolve().parents[2]
READING_PDF, METADATA_XML = "ho-so.pdf", "ho-so.xml"
ORIGINAL, COPY, ATTACHMENTS = "ban-goc.pdf", "pdfa-2b.pdf", "dinh-kem"

Progress = Callable[[str, int, int], None]


class ExportBuildFailed(DomainError):
    """The package could not be built (``reason`` says why, for the log and the progress row)."""


# --- the child ---------------------------------------------------------------------------------


def build(plan: ExportPlan, work: Path, emit: Progress) -> BuildResult:
    """Prepare the package of ``plan`` in the scratch folder ``work`` (see the module docstring):
    every file it makes is put in the file store; nothing of the originals is copied."""
    store = FileStore(Path(plan.store_root))
    result = BuildResult(documents=len(plan.documents))
    copies = _preservation_copies(plan, store, work, result, emit)
    pages, reading, files, payload = _payload(plan, store, copies, result, emit)
    starts, page = {}, 1
    for document in plan.documents:
        starts[document.document_id] = page
        page += reading[document.document_id][1]
    notes = {d.document_id: "Không có bản PDF/A" for d in plan.documents if d.document_id in result.failures}
    table = cover.rows(plan, starts, notes)
    emit("cover", 0, 1)
    contents = cover.render_contents(plan, table, page - 1, work)
    emit("cover", 1, 1)
    _join(plan, contents, reading, work / READING_PDF, emit)
    write_metadata(work / METADATA_XML, plan, pages, files, created_at=utcnow().isoformat(timespec="seconds"))
    for name in (READING_PDF, METADATA_XML):
        digest, _ = store.put_file(work / name)
        size = (work / name).stat().st_size
        result.derived[name] = {"sha256": digest, "size": size}
        payload.append(PackageFile(name, digest, size))
    result.pages = sum(pages.values())
    package = PreparedPackage(fingerprint=plan.fingerprint, documents=result.documents, pages=result.pages,
                              payload=sorted(payload, key=lambda f: f.path),
                              preservation_failed=sorted(result.failures))
    result.size = package.size
    listing = package.to_json()
    result.listing = {"sha256": store.put(listing), "size": len(listing)}
    result.peak_rss_bytes = peak_rss_bytes()
    return result


def peak_rss_bytes() -> int:
    """This process's peak resident memory since it started its program (``VmHWM``; ``ru_maxrss``
    would also count what the parent had resident when it forked this process)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _preservation_copies(plan: ExportPlan, store: FileStore, work: Path, result: BuildResult,
                         emit: Progress) -> dict[str, Path]:
    """Make the PDF/A copies not made before; return the blob path of every document's copy."""
    have = {d.original.sha256: store.path_for(d.pdfa.sha256) for d in plan.documents if d.original and d.pdfa}
    wanted = sorted({d.original.sha256 for d in plan.documents if d.original} - set(have))
    failed: dict[str, str] = {}

    def convert(sha256: str) -> tuple[str, int]:
        target = work / f"{sha256}.pdf"
        make_pdfa(store.path_for(sha256), target)
        try:
            digest, _ = store.put_file(target)
            return digest, target.stat().st_size
        finally:
            target.unlink(missing_ok=True)

    emit("preservation", 0, len(wanted))
    with ThreadPoolExecutor(max_workers=max(1, plan.jobs)) as pool:
        futures = {pool.submit(convert, sha256): sha256 for sha256 in wanted}
        for done, future in enumerate(as_completed(futures), start=1):
            source = futures[future]
            try:
                digest, size = future.result()
            except PreservationFailed as error:
                failed[source] = str(error)[:300]
            else:
                result.copies[source] = {"sha256": digest, "size": size}
                have[source] = store.path_for(digest)
            emit("preservation", done, len(wanted))
    for document in plan.documents:
        if document.original and document.original.sha256 in failed:
            result.failures[document.document_id] = failed[document.original.sha256]
    return {d.document_id: have[d.original.sha256] for d in plan.documents
            if d.original and d.original.sha256 in have}


def _payload(plan: ExportPlan, store: FileStore, copies: dict[str, Path], result: BuildResult, emit: Progress):
    """Name each document's stored files in ``van-ban/NNNN/``; return its pages, what ``ho-so.pdf``
    reads of it (path, pages), the file entries of the XML (by document id) and the payload."""
    pages: dict[str, int] = {}
    reading: dict[str, tuple[Path | None, int]] = {}
    files: dict[str, list[dict[str, str]]] = {}
    payload: list[PackageFile] = []
    for number, document in enumerate(plan.documents, start=1):
        folder = f"van-ban/{document.position:04d}"
        entries: list[dict[str, str]] = []

        def add(kind: str, path: str, sha256: str, size: int, _on=(document, entries), **extra: str) -> None:
            payload.append(PackageFile(path, sha256, size, _on[0].position, _on[0].so_ky_hieu))
            _on[1].append({"kind": kind, "path": path, "sha256": sha256, "size": str(size), **extra})

        original = None
        if document.original is not None:
            original = _blob(store, document.original.sha256, document)
            pages[document.document_id] = _page_count(original)
            add("Original", f"{folder}/{ORIGINAL}", document.original.sha256, document.original.size)
        copy = copies.get(document.document_id)
        if copy is not None:
            add("PreservationCopy", f"{folder}/{COPY}", copy.name, copy.stat().st_size, conformance="PDF/A-2b")
        elif document.document_id in result.failures:
            entries.append({"kind": "PreservationCopy", "status": "failed",
                            "reason": result.failures[document.document_id]})
        for index, attachment in enumerate(document.attachments, start=1):
            _blob(store, attachment.sha256, document)
            add("Attachment", f"{folder}/{ATTACHMENTS}/{index:02d}-{_safe_name(attachment.filename)}",
                attachment.sha256, attachment.size, filename=attachment.filename)
        source = copy if copy is not None else original
        reading[document.document_id] = (source, _page_count(source) if source else 0)
        files[document.document_id] = entries
        emit("payload", number, len(plan.documents))
    return pages, reading, files, payload


def _blob(store: FileStore, sha256: str, document: PlannedDocument) -> Path:
    path = store.path_for(sha256)
    if not path.is_file():
        raise ExportBuildFailed("record_export_file_missing", so_ky_hieu=document.so_ky_hieu or document.document_id,
                                position=document.position)
    return path


def _safe_name(filename: str) -> str:
    """A file name any archiver and file system takes: ASCII letters, digits, ``.``, ``_``, ``-``."""
    return ascii_name(Path(filename).name).replace(" ", "_")[:120].strip("._") or "tep"


def _page_count(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def _join(plan: ExportPlan, contents: list[Path], reading: dict[str, tuple[Path | None, int]], target: Path,
          emit: Progress) -> None:
    """``ho-so.pdf``: the Mục lục, then every document's pages with a bookmark each (``PdfJoiner``:
    one source in memory at a time)."""
    joiner = PdfJoiner(target)
    try:
        for number, part in enumerate(contents):
            joiner.add(part, "Mục lục văn bản trong hồ sơ" if number == 0 else "")
        for number, document in enumerate(plan.documents, start=1):
            path, _ = reading[document.document_id]
            if path is not None:
                joiner.add(path, f"{document.position}. {document.so_ky_hieu or document.type_name} — "
                                 f"{document.subject}"[:200])
            emit("join", number, len(plan.documents))
        joiner.finish()
    finally:
        joiner.close()


def _child_main(plan_path: str, work: str) -> int:
    def emit(phase: str, done: int, total: int) -> None:
        print(json.dumps({"phase": phase, "done": done, "total": total}), flush=True)  # noqa: T201

    plan = ExportPlan.from_json(Path(plan_path).read_text(encoding="utf-8"))
    try:
        result = build(plan, Path(work), emit)
    except DomainError as error:
        print(json.dumps({"error": error.code, "params": error.params}, ensure_ascii=False), flush=True)  # noqa: T201
        return 2
    print(json.dumps({"result": asdict(result)}), flush=True)  # noqa: T201
    return 0


# --- the caller's side -------------------------------------------------------------------------


def run_build(plan: ExportPlan, work: Path, on_progress: Progress) -> BuildResult:
    """Prepare the package in a child process; relay its progress; return what it stored.

    ``work`` (a scratch folder, removed at the end) must not exist. Raises ``ExportBuildFailed``
    (with the child's reason) when the build fails; any exception raised here, a cancellation
    too, kills the child and everything it started.
    """
    work.mkdir(parents=True)
    try:
        return _run_child(plan, work, on_progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_child(plan: ExportPlan, work: Path, on_progress: Progress) -> BuildResult:
    plan_path = work / "plan.json"
    plan_path.write_text(plan.to_json(), encoding="utf-8")
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT),
                                                                           os.environ.get("PYTHONPATH")])))
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([sys.executable, "-m", "models.records.bag", str(plan_path), str(work)],
                                   stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8",
                                   cwd=PROJECT_ROOT, env=environment, start_new_session=True)
        result, refusal = None, None
        try:
            for line in process.stdout:
                message = json.loads(line)
                if "result" in message:
                    result = BuildResult(**message["result"])
                elif "error" in message:
                    refusal = message
                else:
                    on_progress(message["phase"], message["done"], message["total"])
            code = process.wait()
        except BaseException:
            _kill(process)
            raise
        finally:
            process.stdout.close()
        if refusal is not None:
            raise ExportBuildFailed(refusal["error"], **refusal.get("params", {}))
        if code != 0 or result is None:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace").strip()[-400:]
            raise ExportBuildFailed("record_export_failed", reason=tail or f"exit status {code}")
    return result


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1], sys.argv[2]))
