"""Content-addressed file storage on disk (``var/files`` in the embedded default).

Files are written once under their SHA-256 and never overwritten, so a stored document cannot
be lost by a later upload. The deletions go through ``discard``: the blob a refused upload itself
had just created, which no row references (``commands.uploads``), and the files of a hồ sơ destroyed
when its retention ended that nothing alive still holds (``activities.records.remove_disposed_files``,
listed in its ``record_disposal`` row). In production the directory is
shared storage mounted on every web and worker process.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

_DIGEST = re.compile(r"[0-9a-f]{64}")
CHUNK = 1024 * 1024


class FileStore:
    """Write-once blob store keyed by SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Return where a blob lives (two directory levels keep folders small)."""
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store bytes and return their SHA-256; storing the same bytes twice is a no-op."""
        return self.write(data)[0]

    def write(self, data: bytes) -> tuple[str, bool]:
        """Store bytes; return their SHA-256 and whether this call created the blob.

        The write goes to a temporary file that is fsynced and renamed into place, so a crash
        never leaves a truncated blob under a valid name.
        """
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            return digest, False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return digest, True

    def put_file(self, source: Path) -> tuple[str, bool]:
        """Store a file's bytes, read in chunks so a large file never sits in memory; return its
        SHA-256 and whether this call created the blob (the same fsync-and-rename as ``write``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as handle, open(source, "rb") as reader:
                while chunk := reader.read(CHUNK):
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            target = self.path_for(digest.hexdigest())
            if target.exists():
                Path(temp_name).unlink()
                return digest.hexdigest(), False
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp_name, target)  # the same file system: the root holds both
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return digest.hexdigest(), True

    def discard(self, sha256: str) -> None:
        """Remove a blob nothing needs any more: a refused upload's, a destroyed hồ sơ's (see the module docstring)."""
        self.path_for(sha256).unlink(missing_ok=True)

    def read(self, sha256: str) -> bytes:
        """Return a blob's bytes."""
        return self.path_for(sha256).read_bytes()

    def digests(self) -> Iterator[str]:
        """Every blob in the store, by digest (temporary files and anything else are skipped)."""
        if not self.root.is_dir():
            return
        for directory, _dirs, names in os.walk(self.root):
            for name in names:
                if _DIGEST.fullmatch(name) and self.path_for(name) == Path(directory, name):
                    yield name
