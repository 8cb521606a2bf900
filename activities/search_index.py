"""Reading the text layer of documents' PDFs into the search index, a bounded batch at a time.

``index_document`` marks a row ``text_pending`` whenever a document's current file is not the
one its indexed text was read from: documents from before full text (migration 0016), a hub or
internal delivery, an issued document, a new draft revision, a signed copy. Each ``Reconcile``
round reads up to ``BATCH`` of them (``index_text_layers``); ``qlvb search index-text`` runs the
same rounds until none is left. Uploads are indexed at intake and paper scans by OCR, so those
rarely wait for a round.

Idempotent: the index row is unique per document and rewritten only when its text changed; a
document whose file changed while its text was read stays pending for the next round.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.engine import Engine
from temporalio import activity

from activities.cancellation import raise_if_cancelled
from models.db import transaction
from models.documents import search_repo
from models.documents.file_store import FileStore
from models.documents.text_index import document_text
from models.errors import INTERRUPTIONS

log = logging.getLogger("qlvb.search")

BATCH = 100  # documents a round reads at most
BUDGET_SECONDS = 60.0  # reading stops after this long; what was read is stored, the rest waits


class SearchIndexActivities:
    """The text round of the search index."""

    def __init__(self, engine: Engine, file_store: FileStore) -> None:
        self.engine = engine
        self.file_store = file_store

    @activity.defn(name="index_text_layers")
    def index_text_layers(self) -> int:
        """Read the text of up to ``BATCH`` pending documents into the index; return how many were stored."""
        def progress(done: int) -> None:
            activity.heartbeat(done)
            raise_if_cancelled("reading text layers")

        return index_pending_text(self.engine, self.file_store, progress=progress)


def index_pending_text(engine: Engine, file_store: FileStore, *, batch: int = BATCH,
                       budget_seconds: float = BUDGET_SECONDS,
                       progress: Callable[[int], None] = lambda done: None) -> int:
    """One round: the pending documents' text, read outside any transaction, stored in one.

    Documents sharing their files (an issued document and its recipients inside the
    installation) are read once. A document whose files cannot be read now (the file store
    failing) stays pending and is logged; one whose blob is gone is indexed without text (a
    round would otherwise try it for ever); the others are stored.
    """
    with transaction(engine) as session:
        sources = search_repo.text_sources(session, batch)
    if not sources:
        return 0
    deadline = time.monotonic() + budget_seconds
    read: dict[tuple[str, ...], str] = {}
    ready: list[tuple[search_repo.TextSource, str]] = []
    for done, source in enumerate(sources):
        progress(done)
        if time.monotonic() > deadline:
            break
        if source.sha256s not in read:
            try:
                read[source.sha256s] = document_text(file_store.read, source.sha256s)
            except INTERRUPTIONS:  # a cancellation or worker stop passes through
                raise
            except FileNotFoundError:  # a blob lost: indexed without text, read again by --all after a restore
                log.error("a file of document %s is missing from the file store; indexed without its text",
                          source.document_id)
                read[source.sha256s] = ""
            except Exception:  # the file store failing now: the document waits for the next round
                log.warning("text of document %s not read; retried next round", source.document_id,
                            exc_info=True)
                continue
        ready.append((source, read[source.sha256s]))
    with transaction(engine) as session:
        return sum(search_repo.store_text(session, source, text) for source, text in ready)
