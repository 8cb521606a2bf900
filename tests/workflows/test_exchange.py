"""The exchange hub, end to end on the real dev server: QLVB against the hub simulator (in process).

This installation is system A (Văn phòng UBND tỉnh and the other hosted agencies); the Bộ Nội vụ is
system B, played by the test with the real hub client and real edXML packages.
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlmodel import select

from activities.exchange import ExchangeActivities
from devservers.hub.directory import DirectoryEntry
from devservers.hub.simulator import create_app
from devservers.hub.store import HubStore
from models.db import transaction
from models.documents.tables import Document
from models.errors import DomainError
from models.exchange.edxml import envelope_signature
from models.exchange.edxml.build import build_package
from models.exchange.edxml.package import (
    Attachment,
    Business,
    BusinessDocType,
    Code,
    EdocPackage,
    Organization,
    ResponseFor,
    StatusPackage,
)
from models.exchange.edxml.parse import parse_package
from models.exchange.hub_client import HubClient
from models.exchange.hub_systems import HubSystem
from models.exchange.tables import HubInbound, HubOutbox
from models.org.tables import Agency
from models.outgoing.tables import Recipient
from models.signing import pki
from models.tasks.tables import Task
from models.vocab import DocumentSource, DocumentStatus
from tests.conftest import minimal_pdf
from tests.helpers import eventually, make_settings, rows, running_worker, user_and_roles
from tests.outgoing_helpers import act_on_step, issue_document
from tests.workflows.test_outgoing_lifecycle import demo_pki  # noqa: F401 (module fixture)
from workflows.contracts import PollResult

OFFICE, MINISTRY = "000.00.01.H23", "000.00.00.G09"


@pytest.fixture
def hub_store(tmp_path):
    store = HubStore(tmp_path / "hub.db")
    store.register_system(HubSystem("qlvb-test", "secret-a", (OFFICE, "000.00.02.H23")))
    store.register_system(HubSystem("bnv-test", "secret-b", (MINISTRY,)))
    store.seed_directory([DirectoryEntry(OFFICE, "Văn phòng Ủy ban nhân dân tỉnh Hà Nam"),
                          DirectoryEntry(MINISTRY, "Bộ Nội vụ")])
    return store


@pytest.fixture
def hub(hub_store):
    """Clients of the in-process simulator: ``hub("qlvb-test", "secret-a")``."""
    app = create_app(hub_store)

    def client(system_id: str, secret: str) -> HubClient:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test")
        return HubClient("http://hub.test", system_id, secret, http=http)

    return client


@pytest.fixture
def exchange(seeded_sqlite, temporal_env, task_queue, tmp_path, demo_pki, hub):  # noqa: F811
    shutil.copytree(demo_pki, tmp_path / "pki")
    settings = make_settings(tmp_path, task_queue)
    activities = ExchangeActivities(seeded_sqlite, _store(settings), settings, temporal_env.client,
                                    hub_factory=lambda: hub("qlvb-test", "secret-a"))
    return settings, activities


def _store(settings):
    from models.documents.file_store import FileStore

    return FileStore(settings.files_dir)


def _ministry_package(document_id: str = "000.00.00.G09,2026/11/20,15/BNV-VP", **changes) -> bytes:
    package = EdocPackage(
        sender=Organization(MINISTRY, "Bộ Nội vụ"), recipients=(Organization(OFFICE, "Văn phòng UBND tỉnh Hà Nam"),),
        document_id=document_id, code=Code("15", "BNV-VP"), subject="Về việc báo cáo công tác văn thư năm 2026",
        business=Business(doc_type=BusinessDocType.NEW),
        attachments=(Attachment(content_id="cid-1", name="15-BNV-VP.pdf", content_type="application/pdf",
                                data=minimal_pdf(1)),),
    )
    return build_package(dataclasses.replace(package, **changes))


async def _poll(activities: ExchangeActivities) -> PollResult:
    from temporalio.testing import ActivityEnvironment

    return await ActivityEnvironment().run(activities.poll_hub)


async def test_a_document_from_the_ministry_is_registered_once_and_answered_01_then_03(
        seeded_sqlite, temporal_env, exchange, hub):
    engine, client = seeded_sqlite, temporal_env.client
    settings, activities = exchange
    ministry = hub("bnv-test", "secret-b")
    package = _ministry_package()
    async with running_worker(client, engine, settings, activities.hub_factory):
        await ministry.send_edoc(package, from_code=MINISTRY, to_codes=[OFFICE], idempotency_key="first")
        # The same document offered twice (a sender's retry under another key): recorded once.
        await ministry.send_edoc(package, from_code=MINISTRY, to_codes=[OFFICE], idempotency_key="again")
        result = await _poll(activities)
        assert (result.stored, result.duplicates) == (1, 1)

        received = rows(engine, Document, Document.source == DocumentSource.HUB)
        assert len(received) == 1
        document = received[0]
        assert (document.code_number, document.code_notation, document.organ_id) == ("15", "BNV-VP", MINISTRY)
        assert document.external_document_id == "000.00.00.G09,2026/11/20,15/BNV-VP"
        # Its intake workflow runs: signature check, the văn thư registers it, the leader's step.
        await act_on_step(engine, client, "vanthu", document.id, "accept", "vao_so", "accept")
        await eventually(lambda: next(iter(rows(engine, Task, Task.document_id == document.id,
                                                Task.step == "direct")), None))
        # 01 was queued when it was stored, 03 when it was registered; the next round sends them.
        await _poll(activities)
        sent = await eventually(lambda: [o for o in rows(engine, HubOutbox, HubOutbox.document_id == document.id)
                                         if o.transport_status == "sent"] or None, timeout=30)
        assert {o.status_code for o in sent} <= {"01", "03"}
        await eventually(lambda: len([o for o in rows(engine, HubOutbox, HubOutbox.document_id == document.id)
                                      if o.transport_status == "sent"]) == 2 or None, timeout=30)

    statuses = await ministry.received("status")
    codes = []
    for item in statuses:
        parsed = parse_package(await ministry.fetch(item.doc_id))
        assert parsed.package.response_for.document_id == document.external_document_id
        codes.append(parsed.package.status_code)
        await ministry.done(item.doc_id)
    assert sorted(codes) == ["01", "03"]
    # Nothing is offered twice to us either.
    assert await hub("qlvb-test", "secret-a").received("edoc") == []


async def test_bad_packages_are_refused_with_a_reason_and_nothing_else_changes(seeded_sqlite, exchange, hub):
    engine = seeded_sqlite
    _, activities = exchange
    ministry = hub("bnv-test", "secret-b")
    before = len(rows(engine, Document))
    # A revocation of a document we never received; a package with no PDF; malformed XML.
    await ministry.send_edoc(_ministry_package(business=Business(doc_type=BusinessDocType.REVOKE, reason="Sai")),
                             from_code=MINISTRY, to_codes=[OFFICE], idempotency_key="revoke")
    await ministry.send_edoc(_ministry_package("000.00.00.G09,2026/11/21,16/BNV-VP", attachments=()),
                             from_code=MINISTRY, to_codes=[OFFICE], idempotency_key="nopdf")
    await ministry.send_edoc(b"<edXML><unclosed></edXML>", from_code=MINISTRY, to_codes=[OFFICE],
                             idempotency_key="broken")
    # A status about a document nobody here issued.
    status = build_package(StatusPackage(sender=Organization(MINISTRY, "Bộ Nội vụ"),
                                         response_for=ResponseFor(OFFICE, "99/VP-TH", date(2026, 11, 1),
                                                                  "000.00.01.H23,2026/11/01,99/VP-TH"),
                                         status_code="03"))
    await ministry.send_edoc(status, from_code=MINISTRY, to_codes=[OFFICE], message_type="status",
                             idempotency_key="status")
    result = await _poll(activities)
    assert (result.refused, result.stored, result.statuses) == (4, 0, 0)
    assert len(rows(engine, Document)) == before
    refused = rows(engine, HubInbound, HubInbound.outcome == "refused")
    reasons = " | ".join(r.error for r in refused)
    assert "chưa từng nhận" in reasons and "không có tệp PDF" in reasons and "không có trong hệ thống" in reasons
    assert all(r.acked_at is not None for r in refused)
    sent = await ministry.sent("edoc") + await ministry.sent("status")
    assert sorted(s.receive_status.lower() for s in sent) == ["fail"] * 4  # each told "fail", with its reason


async def test_an_issued_document_reaches_the_ministry_and_its_statuses_come_back(
        seeded_sqlite, temporal_env, exchange, hub):
    engine, client = seeded_sqlite, temporal_env.client
    settings, activities = exchange
    ministry = hub("bnv-test", "secret-b")
    with transaction(engine) as session:
        bnv = session.exec(select(Agency).where(Agency.code == MINISTRY)).one()
    async with running_worker(client, engine, settings, activities.hub_factory):
        document = await issue_document(engine, client, settings, "hub", outside_codes=(MINISTRY,))
        recipient = await eventually(lambda: next(iter(rows(engine, Recipient, Recipient.document_id == document.id,
                                                             Recipient.agency_id == bnv.id)), None))
        outbox = await eventually(lambda: next(iter(rows(engine, HubOutbox, HubOutbox.recipient_id == recipient.id,
                                                         HubOutbox.transport_status == "sent")), None), timeout=30)

        assert outbox.hub_doc_id  # the hub's id of the package on our side (the receiver has its own)
        waiting = await ministry.received("edoc")
        assert len(waiting) == 1 and waiting[0].from_code == OFFICE
        package = await ministry.fetch(waiting[0].doc_id)
        parsed = parse_package(package)
        issued = rows(engine, Document, Document.id == document.id)[0]
        assert parsed.package.document_id == issued.external_document_id
        assert parsed.package.attachments[0].data[:5] == b"%PDF-"
        # Signed by the issuing agency (XML-DSig, RSA-SHA256), verifiable against its root.
        envelope = envelope_signature.verify(package, trust_anchors=pki.trust_anchor_certificates(settings))
        assert (envelope.state, envelope.algorithm.endswith("rsa-sha256")) == ("valid", True)
        await ministry.done(waiting[0].doc_id)
        for code in ("01", "03", "04"):
            answer = build_package(StatusPackage(
                sender=Organization(MINISTRY, "Bộ Nội vụ"),
                response_for=ResponseFor(OFFICE, f"{issued.code_number}/{issued.code_notation}", issued.issued_date,
                                         issued.external_document_id), status_code=code,
                description=f"Trạng thái {code}"))
            await ministry.send_edoc(answer, from_code=MINISTRY, to_codes=[OFFICE], message_type="status",
                                     idempotency_key=f"status-{code}")
        result = await _poll(activities)
        assert result.statuses == 3

    final = rows(engine, Recipient, Recipient.id == recipient.id)[0]
    assert (final.business_status, final.transport_status) == ("04", "delivered")
    assert issued.status == DocumentStatus.ISSUED


async def test_a_package_changed_after_its_envelope_was_signed_is_refused(seeded_sqlite, exchange, hub):
    engine = seeded_sqlite
    settings, activities = exchange
    ministry = hub("bnv-test", "secret-b")
    key, certificate, chain = pkcs12.load_key_and_certificates(
        pki.demo_pkcs12_path(settings, "000.00.02.H23").read_bytes(), pki.demo_password(settings))
    signed = envelope_signature.sign(_ministry_package(), key, [certificate, *chain])
    tampered = signed.replace("Về việc báo cáo".encode(), "Về việc sửa đổi".encode())
    await ministry.send_edoc(tampered, from_code=MINISTRY, to_codes=[OFFICE], idempotency_key="tampered")
    result = await _poll(activities)
    assert (result.refused, result.stored) == (1, 0)
    refusal = rows(engine, HubInbound, HubInbound.outcome == "refused")[0]
    assert refusal.error.startswith("Chữ ký phong bì của gói tin không hợp lệ")
    assert not rows(engine, Document, Document.source == DocumentSource.HUB)
    # The same package intact is accepted (an untrusted signer would be too: see the two-installations
    # test; the văn thư judges the PDF signatures, the envelope carries no legal weight).
    await ministry.send_edoc(signed, from_code=MINISTRY, to_codes=[OFFICE], idempotency_key="intact")
    assert (await _poll(activities)).stored == 1


async def test_a_recipient_added_after_issue_gets_the_same_document(seeded_sqlite, temporal_env, exchange, hub):
    """Bổ sung nơi nhận: Sở Tài chính (inside) and the ministry (outside) are added to an issued document."""
    from commands.recipients import RecipientChoice, add_recipients

    engine, client = seeded_sqlite, temporal_env.client
    settings, activities = exchange
    ministry = hub("bnv-test", "secret-b")
    clerk, clerk_roles = user_and_roles(engine, "vanthu")
    with transaction(engine) as session:
        finance = session.exec(select(Agency).where(Agency.code == "000.00.03.H23")).one()
    async with running_worker(client, engine, settings, activities.hub_factory):
        document = await issue_document(engine, client, settings, "late")
        await eventually(lambda: rows(engine, Recipient, Recipient.document_id == document.id,
                                      Recipient.incoming_document_id != None) or None)  # noqa: E711
        issued = rows(engine, Document, Document.id == document.id)[0]
        with pytest.raises(DomainError):  # the same recipient twice adds nothing
            await add_recipients(engine, client, settings, _store(settings), user=clerk, roles=clerk_roles,
                                 document_id=document.id, choice=RecipientChoice([rows(engine, Recipient,
                                 Recipient.document_id == document.id)[0].agency_id]))
        added = await add_recipients(engine, client, settings, _store(settings), user=clerk,
                                     roles=clerk_roles, document_id=document.id,
                                     choice=RecipientChoice([finance.id], [MINISTRY]))
        assert added == 2
        await eventually(lambda: rows(engine, HubOutbox, HubOutbox.document_id == document.id,
                                      HubOutbox.transport_status == "sent") or None, timeout=30)
    finance_copy = rows(engine, Document, Document.agency_id == finance.id, Document.source == DocumentSource.INTERNAL)
    assert [(d.code_number, d.file_id) for d in finance_copy] == [(issued.code_number, issued.file_id)]
    waiting = await ministry.received("edoc")
    parsed = parse_package(await ministry.fetch(waiting[0].doc_id))
    assert parsed.package.document_id == issued.external_document_id
    after = rows(engine, Document, Document.id == document.id)[0]
    assert after.code_number == issued.code_number and after.status == DocumentStatus.ISSUED  # no new number
    assert "Sở Tài chính" in after.to_places and "Bộ Nội vụ" in after.to_places
