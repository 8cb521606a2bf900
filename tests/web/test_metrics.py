"""/metrics: the Prometheus text format, figures equal to the database, latencies, who may scrape."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import col, select

from app import create_app
from models.db import reading, transaction, utcnow
from models.exchange.tables import HubOutbox
from models.outgoing.tables import Recipient
from models.signing.tables import SignatureCheck
from models.tasks.tables import Task
from models.vocab import Direction, DocumentStatus
from tests.factories import make_document, make_org, make_task
from tests.helpers import make_settings

LOOPBACK = ("127.0.0.1", 40000)


def _fill(engine):
    """Documents of both directions, tasks (some overdue, some closed), verdicts, hub packages."""
    with transaction(engine) as session:
        org = make_org(session)
        documents = [make_document(session, org) for _ in range(5)]
        for number, document in enumerate(documents[:3]):
            task = make_task(session, org, document)
            task.overdue = number == 0
            if number == 2:
                task.status = "done"
            session.add(task)
        make_task(session, org, documents[3], task_key="accept:1")
        issued = make_document(session, org)
        issued.direction, issued.status = Direction.OUTGOING, DocumentStatus.ISSUED
        draft = make_document(session, org)
        draft.direction, draft.status, draft.workflow_id = Direction.OUTGOING, DocumentStatus.DRAFT, None
        session.add_all([issued, draft])
        # A recall asked of a recipient inside the installation starts its workflow there; one asked
        # of an outside recipient goes through the hub instead; an ordinary recipient starts none.
        asked = utcnow()
        session.add_all([
            Recipient(document_id=issued.id, position=1, kind="internal", organ_name="Sở A",
                      incoming_document_id=documents[4].id, recall_requested_at=asked),
            Recipient(document_id=issued.id, position=2, kind="external", organ_name="Bộ B", recall_requested_at=asked),
            Recipient(document_id=issued.id, position=3, kind="internal", organ_name="Sở C",
                      incoming_document_id=documents[3].id)])
        for document, verdict in zip(documents, ["valid", "valid", "untrusted", "unsigned"], strict=False):
            session.add(SignatureCheck(document_id=document.id, file_sha256="0" * 64, verdict=verdict,
                                       for_reference_only=verdict != "valid"))
        for state in ("pending", "pending", "failed", "sent"):
            session.add(HubOutbox(message_type="edoc", dedup_key=f"edoc:{uuid.uuid4()}", from_code="a",
                                  to_code="b", transport_status=state))
    return org


def _app(engine, tmp_path, **settings):
    configured = make_settings(tmp_path, "unused").model_copy(update={"metrics_cache_seconds": 0, **settings})
    # No Temporal client is needed to read figures from the database.
    return create_app(configured, engine=engine, client=object(), strict_templates=True)


async def _get(app, path: str, client=LOOPBACK, headers=None) -> httpx.Response:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.get(path, headers=headers or {})


def _samples(text: str) -> dict[tuple, float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def _expected(engine) -> dict[tuple, float]:
    """The same figures counted here directly, one plain query each."""
    def count(model, *conditions) -> int:
        with reading(engine) as session:
            return session.exec(select(func.count()).select_from(model).where(*conditions)).one()

    from models.documents.tables import Document
    active = col(Task.status).in_(["open", "claimed", "completing"])
    return {
        ("qlvb_documents_received_total", ()): count(Document, Document.direction == "incoming"),
        ("qlvb_documents_issued_total", ()): count(Document, Document.direction == "outgoing",
                                                   col(Document.status).in_(["issued", "recalled"])),
        ("qlvb_workflows_started_total", (("workflow_type", "IncomingDocument"),)):
            count(Document, Document.direction == "incoming", col(Document.workflow_id).is_not(None)),
        ("qlvb_workflows_started_total", (("workflow_type", "OutgoingDocument"),)):
            count(Document, Document.direction == "outgoing", col(Document.workflow_id).is_not(None)),
        ("qlvb_workflows_started_total", (("workflow_type", "HubDelivery"),)): count(HubOutbox),
        ("qlvb_workflows_started_total", (("workflow_type", "RecallDocument"),)):
            count(Recipient, col(Recipient.recall_requested_at).is_not(None),
                  col(Recipient.incoming_document_id).is_not(None)),
        ("qlvb_tasks_open", (("step", "direct"),)): count(Task, active, Task.step == "direct"),
        ("qlvb_tasks_open", (("step", "accept"),)): count(Task, active, Task.step == "accept"),
        ("qlvb_tasks_overdue", (("step", "direct"),)): count(Task, active, Task.step == "direct",
                                                             col(Task.overdue).is_(True)),
        ("qlvb_signature_checks_total", (("verdict", "valid"),)): count(SignatureCheck, SignatureCheck.verdict == "valid"),
        ("qlvb_signature_checks_total", (("verdict", "untrusted"),)):
            count(SignatureCheck, SignatureCheck.verdict == "untrusted"),
        ("qlvb_hub_deliveries", (("state", "pending"),)): count(HubOutbox, HubOutbox.transport_status == "pending"),
        ("qlvb_hub_deliveries", (("state", "failed"),)): count(HubOutbox, HubOutbox.transport_status == "failed"),
    }


async def test_the_figures_are_the_database_counts(engine, tmp_path):
    org = _fill(engine)
    app = _app(engine, tmp_path)
    response = await _get(app, "/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    expected = _expected(engine)
    assert {key: samples.get(key) for key in expected} == expected
    # The fill made each of them non-zero, so a collector answering zeros would fail above.
    assert all(expected.values())
    # A closed task is not open: one of the three direction steps was done.
    assert samples[("qlvb_tasks_open", (("step", "direct"),))] == 2

    with transaction(engine) as session:  # a change shows at the next scrape (no cache here)
        make_document(session, org)
    again = _samples((await _get(app, "/metrics")).text)
    assert again[("qlvb_documents_received_total", ())] == expected[("qlvb_documents_received_total", ())] + 1


async def test_the_latency_histogram_counts_requests_by_route_template(sqlite_engine, tmp_path):
    app = _app(sqlite_engine, tmp_path)
    key = ("qlvb_http_request_duration_seconds_count", (("method", "GET"), ("route", "/login")))
    before = _samples((await _get(app, "/metrics")).text).get(key, 0)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=LOOPBACK)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            for _ in range(3):
                assert (await http.get("/login")).status_code == 200
            # A path with an id is counted under its template, never under the path itself.
            await http.get("/documents/4f1b0000-0000-0000-0000-000000000000")
            text = (await http.get("/metrics")).text
    samples = _samples(text)
    assert samples[key] == before + 3
    assert any(labels == (("method", "GET"), ("route", "/documents/{document_id}"))
               for name, labels in samples if name == "qlvb_http_request_duration_seconds_count")
    assert not any("4f1b0000" in str(labels) for _, labels in samples)


@pytest.mark.parametrize(("client", "headers", "status"), [
    (("203.0.113.7", 5000), {}, 404),  # not loopback, no token configured
    (LOOPBACK, {"X-Forwarded-For": "203.0.113.7"}, 404),  # forwarded by a proxy on this machine
])
async def test_scrapes_from_elsewhere_are_refused(sqlite_engine, tmp_path, client, headers, status):
    app = _app(sqlite_engine, tmp_path)
    response = await _get(app, "/metrics", client=client, headers=headers)
    assert response.status_code == status and "qlvb_" not in response.text


async def test_a_configured_token_is_required_even_from_loopback(sqlite_engine, tmp_path):
    app = _app(sqlite_engine, tmp_path, metrics_token=SecretStr("s3cret-metrics"))
    assert (await _get(app, "/metrics")).status_code == 403
    assert (await _get(app, "/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 403
    allowed = await _get(app, "/metrics", client=("203.0.113.7", 5000),
                         headers={"Authorization": "Bearer s3cret-metrics"})
    assert allowed.status_code == 200 and "qlvb_documents_received_total" in allowed.text


REQUESTS_IN_ANOTHER_PROCESS = """
import asyncio, sys, httpx
from app import create_app
from config.settings import Settings
from models.db import make_engine

app = create_app(Settings(var_dir=sys.argv[2]), engine=make_engine(sys.argv[1]), client=object())

async def main():
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            for _ in range(2):
                assert (await http.get("/login")).status_code == 200

asyncio.run(main())
"""


async def test_in_multiprocess_mode_a_scrape_sums_every_process(sqlite_engine, tmp_path, monkeypatch):
    """Another uvicorn worker process's requests, kept in PROMETHEUS_MULTIPROC_DIR, are in this
    process's answer (and this process's own histogram, not in the directory, is not)."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    subprocess.run([sys.executable, "-c", REQUESTS_IN_ANOTHER_PROCESS, str(sqlite_engine.url), str(tmp_path)],
                   env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}, check=True,
                   cwd=Path(__file__).resolve().parents[2], timeout=300)
    assert list(directory.glob("histogram_*.db"))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    samples = _samples((await _get(_app(sqlite_engine, tmp_path), "/metrics")).text)
    assert samples[("qlvb_http_request_duration_seconds_count", (("method", "GET"), ("route", "/login")))] == 2
    assert ("qlvb_documents_received_total", ()) in samples  # the database totals are there too
