"""An export's BagIt bag (RFC 8493) written straight into a zip from a prepared package.

The package (``PreparedPackage``) names every payload file with its stored blob's SHA-256 and
size, so the manifest is written from what is known and nothing is hashed again; each blob is
copied once from the file store into the zip, PDFs stored as they are (they are compressed
already), the XML deflated. The zip is written to ``<name>.zip.part`` and renamed when complete,
so a download never sees half a package. Only the small tag files are hashed here.

The bag inside is what ``bagit`` writes (``bagit.txt``, ``bag-info.txt`` with its
Payload-Oxum, ``manifest-sha256.txt``, ``tagmanifest-sha256.txt``) and ``bagit.Bag(...).validate()``
accepts once unzipped; the tests and the benchmark check that with the library.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from models.db import utcnow
from models.documents.file_store import CHUNK, FileStore
from models.records.bag import ExportBuildFailed
from models.records.export import PreparedPackage

BAGIT_VERSION = "1.0"
# Text compresses well; PDFs are compressed already and are stored as they are (no CPU spent).
DEFLATED_SUFFIXES = {".txt", ".xml"}

Progress = Callable[[str, int, int], None]


def write_bag_zip(store: FileStore, package: PreparedPackage, bag_name: str, bag_info: dict[str, str],
                  target: Path, emit: Progress) -> int:
    """Write the bag of ``package`` as the zip ``target`` (top folder ``bag_name``); return its size.

    Raises ``ExportBuildFailed("record_export_file_missing")`` naming the document when a blob is
    gone from the store (the fixity report names it too)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    stamp = utcnow().timetuple()[:6]
    total = len(package.payload)
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
            emit("bag", 0, total)
            for number, entry in enumerate(package.payload, start=1):
                _add_blob(archive, store, entry, f"{bag_name}/data/{entry.path}", stamp)
                emit("bag", number, total)
            for name, text in _tag_files(package, bag_info):
                info = zipfile.ZipInfo(f"{bag_name}/{name}", stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text.encode("utf-8"))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def _add_blob(archive: zipfile.ZipFile, store: FileStore, entry, name: str, stamp: tuple) -> None:
    info = zipfile.ZipInfo(name, stamp)
    info.compress_type = zipfile.ZIP_DEFLATED if Path(entry.path).suffix in DEFLATED_SUFFIXES else zipfile.ZIP_STORED
    info.file_size = entry.size
    try:
        source = open(store.path_for(entry.sha256), "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError as error:
        raise ExportBuildFailed("record_export_file_missing", so_ky_hieu=entry.label or entry.path,
                                position=entry.position) from error
    with source, archive.open(info, "w", force_zip64=entry.size >= 2**31) as sink:
        shutil.copyfileobj(source, sink, CHUNK)


def _tag_files(package: PreparedPackage, bag_info: dict[str, str]) -> Iterator[tuple[str, str]]:
    """The tag files in the order they are written, then the tag manifest over them."""
    bagit = f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n"
    manifest = "".join(f"{entry.sha256}  data/{entry.path}\n" for entry in package.payload)
    info = {**bag_info, "Payload-Oxum": f"{package.size}.{len(package.payload)}", "Bag-Software-Agent": "QLVB"}
    info_text = "".join(f"{key}: {value}\n" for key, value in sorted(info.items()))
    tags = [("bagit.txt", bagit), ("bag-info.txt", info_text), ("manifest-sha256.txt", manifest)]
    yield from tags
    yield "tagmanifest-sha256.txt", "".join(
        f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}  {name}\n" for name, text in tags)
