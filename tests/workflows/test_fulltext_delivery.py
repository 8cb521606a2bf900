"""Documents that arrive without an upload are found by the words of their PDFs: an issued document,
the copy a hosted recipient receives, and a document received from the exchange hub."""

from __future__ import annotations

from activities.search_index import index_pending_text
from models.db import transaction
from models.documents import search_repo
from models.documents.file_store import FileStore
from models.documents.search import SearchQuery
from models.documents.tables import Document
from models.exchange.edxml.package import Attachment
from models.outgoing.tables import Recipient
from models.vocab import DocumentSource
from tests.conftest import minimal_pdf
from tests.helpers import eventually, rows, running_worker, user_and_roles
from tests.outgoing_helpers import issue_document
from tests.workflows.test_exchange import (  # noqa: F401 (fixtures)
    MINISTRY,
    OFFICE,
    _ministry_package,
    _poll,
    exchange,
    hub,
    hub_store,
)
from tests.workflows.test_outgoing_lifecycle import _settings, demo_pki  # noqa: F401 (module fixture)
from workflows.maintenance import ReconcileWorkflow


def _found(engine, username: str, text: str):
    user, roles = user_and_roles(engine, username)
    with transaction(engine) as session:
        page = search_repo.search_documents(session, user, roles, SearchQuery(text=text), with_snippets=True)
    return {document.id: [part for part, is_match in page.snippets.get(document.id, []) if is_match]
            for document in page.documents}


async def test_the_reconcile_round_indexes_the_issued_file_and_the_delivered_copy(
        seeded_sqlite, temporal_env, task_queue, tmp_path, demo_pki):  # noqa: F811
    engine, client = seeded_sqlite, temporal_env.client
    settings = _settings(tmp_path, task_queue, demo_pki)
    async with running_worker(client, engine, settings):
        document = await issue_document(engine, client, settings, "fulltext")
        recipient = await eventually(lambda: next(iter(rows(
            engine, Recipient, Recipient.document_id == document.id,
            Recipient.incoming_document_id != None)), None))  # noqa: E711
        received = recipient.incoming_document_id
        # "đề nghị" is in the body of the PDF only, not in the metadata of either document.
        assert document.id not in _found(engine, "vanthu", "đề nghị")
        assert received not in _found(engine, "vanthu.snv", "đề nghị")

        done = await client.execute_workflow(ReconcileWorkflow.run, id=f"reconcile-{task_queue}",
                                             task_queue=task_queue)
        assert done["index_text_layers"] >= 2

    sender = _found(engine, "vanthu", "de nghi")
    # (the passage may also mark "NGHĨA" of the national motto: "nghi" is a prefix of it)
    assert {"đề", "nghị"} <= set(sender[document.id]) and received not in sender
    receiver = _found(engine, "vanthu.snv", "ĐỀ NGHỊ")
    assert {"đề", "nghị"} <= set(receiver[received]) and document.id not in receiver


async def test_a_document_received_from_the_hub_is_found_by_its_files_text(
        seeded_sqlite, temporal_env, exchange, hub):  # noqa: F811
    engine = seeded_sqlite
    settings, activities = exchange
    files = (Attachment(content_id="cid-1", name="15-BNV-VP.pdf", content_type="application/pdf",
                        data=minimal_pdf(text_line="Huong dan chinh ly tai lieu luu tru")),
             Attachment(content_id="cid-2", name="phu-luc.pdf", content_type="application/pdf",
                        data=minimal_pdf(text_line="Phu luc bieu mau thong ke")))
    await hub("bnv-test", "secret-b").send_edoc(_ministry_package(attachments=files), from_code=MINISTRY,
                                                 to_codes=[OFFICE], idempotency_key="fulltext")
    assert (await _poll(activities)).stored == 1
    [document] = rows(engine, Document, Document.source == DocumentSource.HUB)
    assert _found(engine, "vanthu", "chinh ly") == {}

    assert index_pending_text(engine, FileStore(settings.files_dir)) >= 1
    assert _found(engine, "vanthu", "chinh ly luu tru") == {document.id: ["chinh", "ly", "luu", "tru"]}
    assert _found(engine, "vanthu", "bieu mau") == {document.id: ["bieu", "mau"]}  # the attachment's text
    assert _found(engine, "vanthu.snv", "chinh ly") == {}  # not an addressee: not even found
