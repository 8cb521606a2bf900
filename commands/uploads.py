"""An upload's blobs outlive it only when it is recorded: a refusal removes what it wrote.

Every check that can be made before writing is made first (the commands do that); what is left
is the refusal inside the write transaction itself (the draft was submitted meanwhile, no
process is published). Then the blobs this upload created, and that no file row references, are
removed again. A blob that existed before the upload is never touched. The removal runs in a
write transaction: on SQLite nobody can commit a row for the same bytes in between.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.engine import Engine

from models.db import transaction
from models.documents import repo as document_repo
from models.documents.file_store import FileStore
from models.errors import DomainError

T = TypeVar("T")


@dataclass
class Written:
    """The digests of an upload's blobs, in order, and those this upload created."""

    digests: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)


def write_blobs(store: FileStore, blobs: list[bytes]) -> Written:
    """Write the blobs (content-addressed); remember which ones are new."""
    written = Written()
    for data in blobs:
        digest, created = store.write(data)
        written.digests.append(digest)
        if created:
            written.created.append(digest)
    return written


async def recorded(engine: Engine, store: FileStore, written: Written, record: Callable[[], T]) -> T:
    """Run ``record`` (the write transaction) in a thread; on a refusal discard the new blobs, then re-raise."""
    try:
        return await asyncio.to_thread(record)
    except DomainError:
        await asyncio.to_thread(discard_unreferenced, engine, store, written.created)
        raise


def discard_unreferenced(engine: Engine, store: FileStore, digests: list[str]) -> None:
    """Remove the blobs no file row references."""
    if not digests:
        return
    with transaction(engine) as session:
        for digest in digests:
            if not document_repo.file_referenced(session, digest):
                store.discard(digest)
