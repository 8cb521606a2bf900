"""Talking to the national document exchange hub: the receive loop and the send path (EDXML.md §9.5-9.6).

The hub client is async (httpx); database work runs on a thread. Each step is idempotent:
received packages are recorded under a dedup key before they are acknowledged, so a package
offered again after a crash is acknowledged without a second record; a queued package keeps its
bytes, so a retried send is the same package.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.cancellation import heartbeating_async
from activities.keys import envelope_key
from config.settings import Settings
from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.repo import intake_input
from models.documents.tables import Document
from models.exchange import outbox as hub_outbox
from models.exchange import repo as exchange_repo
from models.exchange.directory_sync import DirectoryRow, apply_directory
from models.exchange.edxml import envelope_signature
from models.exchange.edxml.problems import EdxmlRejected
from models.exchange.hub_client import HubClient, HubRejected, HubUnavailable
from models.exchange.repo import today_vn
from models.exchange.tables import HubOutbox
from models.org.tables import Agency
from models.signing import pki
from models.vocab import URGENCY_RANK, Urgency
from workflows.contracts import IncomingInput, PollResult, RecallInput, SendFailedInput, SendInput
from workflows.starter import start_hub_delivery, start_incoming, start_recall

log = logging.getLogger("qlvb.exchange")
# Which ``PollResult`` counter each outcome of ``exchange_repo.store_received`` adds to.
COUNTERS = {"stored": "stored", "update": "stored", "status": "statuses", "duplicate": "duplicates",
            "refused": "refused", "revoke": "revoked"}


class ExchangeActivities:
    """Receiving from and sending to the hub."""

    def __init__(self, engine: Engine, file_store: FileStore, settings: Settings, client: Client | None = None,
                 hub_factory=None) -> None:
        self.engine = engine
        self.file_store = file_store
        self.settings = settings
        self.client = client
        # Tests point this at the in-process simulator; production builds it from settings.
        self.hub_factory = hub_factory or (lambda: HubClient.from_settings(settings))

    @activity.defn(name="poll_hub")
    async def poll_hub(self) -> PollResult:
        """One round of the receive loop: documents, then statuses; return the sends to run."""
        result = PollResult()
        async with self.hub_factory() as hub:
            for message_type in ("edoc", "status"):
                try:
                    waiting = await hub.received(message_type)
                except HubUnavailable as error:
                    raise ApplicationError(f"hub unavailable: {error}", type="hub_unavailable") from error
                for item in waiting:
                    activity.heartbeat(item.doc_id)
                    await self._receive_one(hub, item.doc_id, message_type, result)
        pending = await asyncio.to_thread(self._pending_outbox)
        await start_deliveries(self.client, self.settings, pending)
        result.queued_sends = [outbox_id for outbox_id, _ in pending]
        return result

    async def _receive_one(self, hub: HubClient, hub_doc_id: str, message_type: str, result: PollResult) -> None:
        try:
            data = await hub.fetch(hub_doc_id)
        except HubRejected as error:
            log.warning("hub package %s could not be fetched: %s", hub_doc_id, error)
            return
        sha = await asyncio.to_thread(self.file_store.put, data)  # the raw bytes first (§9.5 step 2)
        received = await asyncio.to_thread(self._store, hub_doc_id, message_type, data, sha)
        await self._start_follow_ups(received)
        if received.ack == "done":
            await hub.done(hub_doc_id)
        else:
            await hub.fail(hub_doc_id, received.reason)
        await asyncio.to_thread(self._acknowledged, hub_doc_id)
        counter = COUNTERS[received.outcome]
        setattr(result, counter, getattr(result, counter) + 1)

    def _store(self, hub_doc_id: str, message_type: str, data: bytes, sha: str) -> exchange_repo.Received:
        refusal = exchange_repo.attachment_refusal(data)  # its PDFs, in limited child processes
        with transaction(self.engine) as session:
            received = exchange_repo.store_received(session, hub_doc_id=hub_doc_id, message_type=message_type,
                                                    data=data, sha256=sha, put=self.file_store.put,
                                                    trust_anchors=pki.trust_anchor_certificates(self.settings),
                                                    attachment_refusal=refusal)
            for document in (received.start_incoming, received.recall_document):
                if document is not None:
                    session.refresh(document)
                    session.expunge(document)
            return received

    def _acknowledged(self, hub_doc_id: str) -> None:
        with transaction(self.engine) as session:
            exchange_repo.mark_acknowledged(session, hub_doc_id)

    async def _start_follow_ups(self, received: exchange_repo.Received) -> None:
        """Start the new document's intake workflow, or the recall of a revoked one.

        Before the acknowledgement: if a start fails here the package is offered again and
        recorded as a duplicate, and the worker's reconcilers start what was left NEW.
        """
        if self.client is None:
            return
        queue = self.settings.temporal_task_queue
        if received.start_incoming is not None:
            start = await asyncio.to_thread(self._intake_input, received.start_incoming.id)
            await start_incoming(self.client, queue, start)
        if received.recall_document is not None:
            document = received.recall_document
            agency_code = await asyncio.to_thread(self._agency_code, document.agency_id)
            await start_recall(self.client, queue, RecallInput(
                document.id, document.agency_id, URGENCY_RANK[Urgency(document.urgency)], "", received.recall_reason,
                document.organ_name), agency_code)

    def _agency_code(self, agency_id: int) -> str:
        with transaction(self.engine) as session:
            return session.get(Agency, agency_id).code

    def _intake_input(self, document_id: str) -> IncomingInput:
        with transaction(self.engine) as session:
            return intake_input(session, session.get(Document, document_id))

    def _pending_outbox(self) -> list[tuple[int, str]]:
        with transaction(self.engine) as session:
            return [(row.id, row.uuid) for row in hub_outbox.pending_outbox(session)]

    @activity.defn(name="sync_hub_directory")
    async def sync_hub_directory(self) -> dict[str, int]:
        """Bring the organisation tree in line with the hub's agency directory (daily)."""
        async with self.hub_factory() as hub:
            try:
                agencies = await hub.agencies()
                units = await hub.synchronize_units()
                qd20 = {row.code102: row.code for row in await hub.agencies_qd20() if row.code102}
            except HubUnavailable as error:
                raise ApplicationError(f"hub unavailable: {error}", type="hub_unavailable") from error
        deleted = {unit.code for unit in units if unit.deleted}
        code_of = {agency.id: agency.code for agency in agencies}
        rows = [DirectoryRow(a.code, a.name, code_of.get(a.pid, ""), a.old_code, a.code in deleted, qd20.get(a.code, ""))
                for a in agencies]
        rows += [DirectoryRow(u.code, u.name, deleted=True) for u in units
                 if u.deleted and u.code not in {a.code for a in agencies}]
        return await asyncio.to_thread(self._apply_directory, rows)

    def _apply_directory(self, rows: list[DirectoryRow]) -> dict[str, int]:
        """Apply the hub's directory rows to the organisation tree in one transaction; the counts."""
        with transaction(self.engine) as session:
            report = apply_directory(session, rows, today_vn())
        return {"added": len(report.added), "renamed": len(report.renamed), "aliases": len(report.aliases),
                "closed": len(report.closed), "qd20": len(report.qd20), "ours_differ": len(report.ours_differ)}

    @activity.defn(name="send_hub_package")
    async def send_hub_package(self, request: SendInput) -> str:
        """Send one queued package; the hub's package id, or "" when it was sent before.

        Network trouble and hub failures are retried by the workflow's retry policy with back-off;
        a refusal by the hub (bad request, unknown recipient) is final.
        """
        # Signing the envelope and a large upload can outlast the heartbeat timeout: keep beating.
        async with heartbeating_async("send"):
            prepared = await asyncio.to_thread(self._prepare, request.outbox_id)
            if prepared is None:
                return ""
            package, from_code, to_code, message_type, key = prepared
            async with self.hub_factory() as hub:
                try:
                    sent = await hub.send_edoc(package, from_code=from_code, to_codes=[to_code],
                                               message_type=message_type, idempotency_key=key)
                except HubRejected as error:
                    raise ApplicationError(f"{error.message}", type="hub_rejected", non_retryable=True) from error
                except HubUnavailable as error:
                    await asyncio.to_thread(self._note_attempt, request.outbox_id, str(error))
                    raise ApplicationError(f"hub unavailable: {error}", type="hub_unavailable") from error
            await asyncio.to_thread(self._sent, request.outbox_id, sent.doc_id)
            return sent.doc_id

    def _prepare(self, outbox_id: int):
        with transaction(self.engine) as session:
            outbox = session.get(HubOutbox, outbox_id)
            if outbox is None or outbox.transport_status != "pending":
                return None
            if not outbox.package_sha256:  # a status: built at its first send, then kept
                package = hub_outbox.status_package(session, outbox)
                outbox.package_sha256 = self.file_store.put(package)
            if outbox.attempts == 0:
                # Signed once, at the first try (RSA PKCS#1 v1.5 is deterministic: a try cut short
                # signs to the same bytes); every retry then sends exactly these bytes.
                outbox.package_sha256 = self.file_store.put(
                    self._signed_envelope(outbox.from_code, self.file_store.read(outbox.package_sha256)))
            outbox.attempts += 1
            session.add(outbox)
            package = self.file_store.read(outbox.package_sha256)
            # The same key for every retry: the hub keeps one package however often we try.
            key = hashlib.sha256(f"qlvb-outbox:{outbox.dedup_key}".encode()).hexdigest()
            return package, outbox.from_code, outbox.to_code, outbox.message_type, key

    def _signed_envelope(self, agency_code: str, package: bytes) -> bytes:
        """The package with the sending agency's XML-DSig envelope signature (EDXML §7), RSA-SHA256."""
        signing = envelope_key(self.settings, agency_code)
        if signing is None:
            log.warning("no key for %s: its hub packages go without an envelope signature", agency_code)
            return package
        try:
            return envelope_signature.sign(package, signing[0], signing[1])
        except EdxmlRejected:  # already signed
            return package

    def _note_attempt(self, outbox_id: int, error: str) -> None:
        with transaction(self.engine) as session:
            outbox = session.get(HubOutbox, outbox_id)
            outbox.last_error = error[:1000]
            session.add(outbox)

    def _sent(self, outbox_id: int, hub_doc_id: str) -> None:
        with transaction(self.engine) as session:
            outbox = session.get(HubOutbox, outbox_id)
            if outbox.transport_status == "pending":
                exchange_repo.mark_sent(session, outbox, hub_doc_id)

    @activity.defn(name="hub_send_failed")
    def hub_send_failed(self, request: SendFailedInput) -> None:
        """Sending gave up: mark it, tell the sender (they phone or e-mail the recipient)."""
        with transaction(self.engine) as session:
            outbox = session.get(HubOutbox, request.outbox_id)
            if outbox is not None and outbox.transport_status == "pending":
                exchange_repo.mark_failed(session, outbox, request.reason)



async def start_deliveries(client: Client | None, settings: Settings, outbox: list[tuple[int, str]]) -> None:
    """Start (or find running) the delivery workflow of each queued package; idempotent on its id."""
    if client is None:
        return
    for outbox_id, outbox_uuid in outbox:
        await start_hub_delivery(client, settings.temporal_task_queue, outbox_id, outbox_uuid)
