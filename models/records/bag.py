"""Building an export's BagIt package in a child process, and streaming it as a zip.

``run_build`` writes the plan next to the package folder and runs ``python -m models.records.bag``
on it. The child builds the package from the plan alone (no database), printing one JSON line per
step of progress, and finally its ``BuildResult``; the caller relays the progress (heartbeats, the
progress row) and kills the child's process group if it is itself stopped. A child because:

* the ``bagit`` library makes a bag by changing the process's working directory (``os.chdir``),
  which in the threads of a web server or a worker would move every other thread's relative
  paths and mix two exports made at once;
* WeasyPrint, pikepdf and Ghostscript take their memory there, and it is all given back at the
  end, whatever the size of the hồ sơ; a stopped export is killed with everything it started.

The build (``build``), in order: the PDF/A copies not made before (Ghostscript, ``plan.jobs`` at
a time, each stored in the file store as it is made); the payload files copied from the store,
each document's pages counted; the Mục lục (``cover``); ``ho-so.pdf`` joined from the Mục lục and
each document's PDF/A copy (its original when it has none), with a bookmark per document;
``ho-so.xml`` (``export_xml``); finally ``bagit.make_bag`` moves it all under ``data/`` and writes
the SHA-256 manifests. Files are copied and hashed in chunks, and the joined PDF holds one
source (and one of its streams) in memory at a time.
"""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

from models.db import utcnow
from models.documents.file_store import CHUNK, FileStore
from models.documents.preservation import PreservationFailed, make_pdfa
from models.errors import DomainError
from models.records import cover
from models.records.export import BuildResult, ExportPlan, PlannedDocument, ascii_name
from models.records.export_xml import write_metadata
from models.records.pdf_join import PdfJoiner

PROJECT_ROOT = Path(__file__).resolve().parents[2]
READING_PDF, METADATA_XML = "ho-so.pdf", "ho-so.xml"
ORIGINAL, COPY, ATTACHMENTS = "ban-goc.pdf", "pdfa-2b.pdf", "dinh-kem"
# Text files compress well; PDFs are compressed already and are stored as they are (no CPU spent).
DEFLATED_SUFFIXES = {".txt", ".xml"}

Progress = Callable[[str, int, int], None]


class ExportBuildFailed(DomainError):
    """The package could not be built (``reason`` says why, for the log and the progress row)."""


# --- the child ---------------------------------------------------------------------------------


def build(plan: ExportPlan, bag_dir: Path, emit: Progress) -> BuildResult:
    """Build the package of ``plan`` in the empty folder ``bag_dir`` (see the module docstring)."""
    store = FileStore(Path(plan.store_root))
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=bag_dir.parent))
    try:
        result = BuildResult(documents=len(plan.documents))
        copies = _preservation_copies(plan, store, work, result, emit)
        pages, reading, files = _payload(plan, store, bag_dir, copies, result, emit)
        starts, page = {}, 1
        for document in plan.documents:
            starts[document.document_id] = page
            page += reading[document.document_id][1]
        notes = {d.document_id: "Không có bản PDF/A" for d in plan.documents if d.document_id in result.failures}
        table = cover.rows(plan, starts, notes)
        emit("cover", 0, 1)
        contents = cover.render_contents(plan, table, page - 1, work)
        emit("cover", 1, 1)
        _join(plan, contents, reading, bag_dir / READING_PDF, emit)
        write_metadata(bag_dir / METADATA_XML, plan, pages, files, created_at=utcnow().isoformat(timespec="seconds"))
        result.pages = sum(pages.values())
        result.size = sum(p.stat().st_size for p in bag_dir.rglob("*") if p.is_file())
        emit("bag", 0, 1)
        import bagit

        bagit.make_bag(str(bag_dir), dict(plan.bag_info), checksums=["sha256"])
        emit("bag", 1, 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
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


def _payload(plan: ExportPlan, store: FileStore, bag_dir: Path, copies: dict[str, Path], result: BuildResult,
             emit: Progress):
    """Copy each document's files into ``van-ban/NNNN/``; return its pages, what ``ho-so.pdf``
    reads of it (path, pages) and the file entries of the XML, all by document id."""
    import pikepdf

    pages: dict[str, int] = {}
    reading: dict[str, tuple[Path | None, int]] = {}
    files: dict[str, list[dict[str, str]]] = {}
    for number, document in enumerate(plan.documents, start=1):
        folder = bag_dir / "van-ban" / f"{document.position:04d}"
        folder.mkdir(parents=True)
        entries = []
        if document.original is not None:
            _copy(store, document.original.sha256, folder / ORIGINAL, document)
            with pikepdf.open(folder / ORIGINAL) as pdf:
                pages[document.document_id] = len(pdf.pages)
            entries.append(_entry("Original", bag_dir, folder / ORIGINAL, document.original.sha256))
        copy = copies.get(document.document_id)
        if copy is not None:
            shutil.copyfile(copy, folder / COPY)
            entries.append(_entry("PreservationCopy", bag_dir, folder / COPY, copy.name, conformance="PDF/A-2b"))
        elif document.document_id in result.failures:
            entries.append({"kind": "PreservationCopy", "status": "failed",
                            "reason": result.failures[document.document_id]})
        for index, attachment in enumerate(document.attachments, start=1):
            target = folder / ATTACHMENTS / f"{index:02d}-{_safe_name(attachment.filename)}"
            target.parent.mkdir(exist_ok=True)
            _copy(store, attachment.sha256, target, document)
            entries.append(_entry("Attachment", bag_dir, target, attachment.sha256, filename=attachment.filename))
        source = folder / COPY if copy is not None else (folder / ORIGINAL if document.original else None)
        reading[document.document_id] = (source, _page_count(source) if source else 0)
        files[document.document_id] = entries
        emit("payload", number, len(plan.documents))
    return pages, reading, files


def _copy(store: FileStore, sha256: str, target: Path, document: PlannedDocument) -> None:
    try:
        shutil.copyfile(store.path_for(sha256), target)
    except FileNotFoundError as error:
        raise ExportBuildFailed("record_export_file_missing", so_ky_hieu=document.so_ky_hieu or document.document_id,
                                position=document.position) from error


def _entry(kind: str, bag_dir: Path, path: Path, sha256: str, **extra: str) -> dict[str, str]:
    return {"kind": kind, "path": path.relative_to(bag_dir).as_posix(), "sha256": sha256,
            "size": str(path.stat().st_size), **extra}


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


def _child_main(plan_path: str, bag_dir: str) -> int:
    def emit(phase: str, done: int, total: int) -> None:
        print(json.dumps({"phase": phase, "done": done, "total": total}), flush=True)  # noqa: T201

    plan = ExportPlan.from_json(Path(plan_path).read_text(encoding="utf-8"))
    try:
        result = build(plan, Path(bag_dir), emit)
    except DomainError as error:
        print(json.dumps({"error": error.code, "params": error.params}, ensure_ascii=False), flush=True)  # noqa: T201
        return 2
    print(json.dumps({"result": asdict(result)}), flush=True)  # noqa: T201
    return 0


# --- the caller's side -------------------------------------------------------------------------


def run_build(plan: ExportPlan, bag_dir: Path, on_progress: Progress) -> BuildResult:
    """Build the package in a child process; relay its progress; return what it built.

    ``bag_dir`` must not exist; its parent holds the plan and the child's scratch files. Raises
    ``ExportBuildFailed`` (with the child's reason) when the build fails; any exception raised
    here, a cancellation too, kills the child and everything it started.
    """
    bag_dir.parent.mkdir(parents=True, exist_ok=True)
    bag_dir.mkdir()
    plan_path = bag_dir.parent / "plan.json"
    plan_path.write_text(plan.to_json(), encoding="utf-8")
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT),
                                                                           os.environ.get("PYTHONPATH")])))
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([sys.executable, "-m", "models.records.bag", str(plan_path), str(bag_dir)],
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
    plan_path.unlink(missing_ok=True)
    return result


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


# --- download ----------------------------------------------------------------------------------


class _Sink(io.RawIOBase):
    """A write-only, unseekable stream whose bytes are taken away as they come (zip streaming)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> list[bytes]:
        parts, self.parts = self.parts, []
        return parts


def stream_zip(bag_dir: Path) -> Iterator[bytes]:
    """The bag as a zip (its folder at the top), produced as it is read: nothing is written to
    disk and no file is read whole. Unseekable output makes ``zipfile`` write data descriptors."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
        for path in sorted(p for p in bag_dir.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo.from_file(path, f"{bag_dir.name}/{path.relative_to(bag_dir).as_posix()}")
            info.compress_type = zipfile.ZIP_DEFLATED if path.suffix in DEFLATED_SUFFIXES else zipfile.ZIP_STORED
            with open(path, "rb") as source, archive.open(info, "w", force_zip64=info.file_size >= 2**31) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield from sink.take()
            yield from sink.take()
    yield from sink.take()


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1], sys.argv[2]))
