"""Two QLVB installations side by side, exchanging documents through one hub simulator (issue 5).

A is the province (the usual demo seed, hub system "qlvb-a" serving its hosted agencies); B is the
ministry (``seed_ministry``: Bộ Nội vụ hosted, hub system "qlvb-b"). Each has its own SQLite file,
var directory (file store, demo PKI, trust anchors), Temporal namespace on the session dev server
and worker; they share only the hub. Nothing of one is visible to the other except packages.

The receive loop is driven by running each installation's ``poll_hub`` activity where the
scenario needs a round (a deployment runs it on a schedule); sends run as ``HubDelivery``
workflows on the installation's own worker. The setup lives in tests/exchange_installations.py
(the exchange latency bench uses it too).
"""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import SQLModel, select

import models.all  # noqa: F401
from commands.recall import recall_outgoing
from models.db import make_engine, transaction
from models.documents.tables import Document
from models.exchange.tables import HubInbound, HubOutbox
from models.org.tables import Agency, OrgUnit, User
from models.outgoing.recipient_status import add_recipient_event
from models.outgoing.tables import Recipient, RecipientEvent, RecipientKind
from models.registers.tables import RegisterEntry
from models.seed.demo import seed_organisation
from models.seed.profiles import MINISTRY_CODE
from models.signing.tables import SignatureCheck
from models.tasks.tables import Task
from models.vocab import Direction, DocumentSource, DocumentStatus, TaskStatus
from tests.exchange_installations import Installation, dispose, make_pki, set_up, trust
from tests.helpers import eventually, rows, user_and_roles
from tests.outgoing_helpers import act_on_step, issue_document

BUSINESS_CODES = {"01", "02", "03", "04", "05", "06", "15", "16"}


@pytest.fixture(scope="module")
def pki_sources(tmp_path_factory) -> tuple[Path, Path]:
    """Two independent demo PKIs (different roots), generated once for the module."""
    a, b = (make_pki(tmp_path_factory.mktemp(f"pki-{name}")) for name in ("a", "b"))
    return a, b


@pytest.fixture
async def installations(temporal_env, tmp_path, pki_sources):
    a, b = await set_up(temporal_env.client, tmp_path, pki_sources)
    yield a, b
    dispose(a, b)


class BWorker:
    """B's worker, stopped and started again in the middle of the scenario (always stopped at the end)."""

    def __init__(self, installation: Installation) -> None:
        self.installation = installation
        self.running: AsyncExitStack | None = None

    async def start(self) -> None:
        self.running = AsyncExitStack()
        await self.running.enter_async_context(self.installation.worker())

    async def stop(self) -> None:
        if self.running is not None:
            running, self.running = self.running, None
            await running.aclose()

    async def __aenter__(self) -> BWorker:
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.stop()


def _received(b: Installation, issued_at_a: Document) -> Document:
    found = rows(b.engine, Document, Document.external_document_id == issued_at_a.external_document_id,
                 Document.source == DocumentSource.HUB)
    assert len(found) == 1, found
    return found[0]


def _ministry_row(a: Installation, document_id: str) -> Recipient:
    return rows(a.engine, Recipient, Recipient.document_id == document_id, Recipient.organ_id == MINISTRY_CODE)[0]


def _statuses(a: Installation, document_id: str) -> list[RecipientEvent]:
    """What A's document page lists for Bộ Nội vụ: the business statuses in time order, with their times."""
    recipient = _ministry_row(a, document_id)
    with transaction(a.engine) as session:
        events = session.exec(select(RecipientEvent).where(RecipientEvent.recipient_id == recipient.id)
                              .order_by(RecipientEvent.at, RecipientEvent.id)).all()
    return [e for e in events if e.code in BUSINESS_CODES]


async def _issue(a: Installation, tag: str) -> Document:
    """A's chain drafts to Sở Nội vụ and Bộ Nội vụ, signs and issues; the package reaches the hub."""
    document = await issue_document(a.engine, a.client, a.settings, tag, outside_codes=(MINISTRY_CODE,))
    await eventually(lambda: rows(a.engine, HubOutbox, HubOutbox.document_id == document.id,
                                  HubOutbox.transport_status == "sent"), timeout=60)
    return rows(a.engine, Document, Document.id == document.id)[0]


async def _report(a: Installation, b: Installation, b_document: Document, expected: str) -> None:
    """B sends what it queued for the document; A's next round records it on the recipient row."""
    await b.poll()
    await b.all_sent(b_document.id)
    await a.poll()
    issued = rows(a.engine, Document, Document.external_document_id == b_document.external_document_id,
                  Document.direction == Direction.OUTGOING)
    assert _ministry_row(a, issued[0].id).business_status == expected


async def test_two_installations_exchange_register_handle_recall_and_return_through_one_hub(installations):
    a, b = installations
    b_worker = BWorker(b)
    async with a.worker(), b_worker:
        await b_worker.start()

        # 1. Before B's administrator trusts A's root, a signed document from A is untrusted at B:
        #    B's văn thư returns it with a reason, and A sees 02 with that reason. A takes 01 and 02
        #    in one round, in whatever order the hub lists them: a late 01 never hides the 02.
        returned = await _issue(a, "two-r")
        assert (await b.poll()).stored == 1
        b_returned = _received(b, returned)
        await b.all_sent(b_returned.id)  # 01
        reason = "Chữ ký số không xác thực được với chứng thư số gốc của Bộ; đề nghị gửi lại"
        await act_on_step(b.engine, b.client, "vanthu.bnv", b_returned.id, "accept", "tra_lai", "r1", reason=reason)
        assert rows(b.engine, SignatureCheck, SignatureCheck.document_id == b_returned.id)[0].verdict == "untrusted"
        await _report(a, b, b_returned, "02")
        assert _ministry_row(a, returned.id).status_note == reason
        assert rows(b.engine, Document, Document.id == b_returned.id)[0].status == DocumentStatus.RETURNED

        # 2. B's administrator puts A's trust anchor into B's trust directory.
        trust(b, a)

        # 3. A document B registers, directs, assigns and finishes; B's worker is stopped while the
        #    package arrives and restarted: nothing is lost or done twice.
        handled = await _issue(a, "two-h")
        await b_worker.stop()  # B's worker is down
        assert (await b.poll()).stored == 1  # the receive loop stores it and starts its workflows
        b_handled = _received(b, handled)
        assert b_handled.status == DocumentStatus.NEW and not rows(b.engine, RegisterEntry)
        assert [o.status_code for o in b.pending_sends(b_handled.id)] == ["01"]
        again = await b.poll()  # acknowledged: not offered again
        assert (again.stored, again.duplicates) == (0, 0)
        await b_worker.start()  # B's worker is back
        await b.all_sent(b_handled.id)  # the 01 whose delivery waited for a worker
        await a.poll()
        # B's văn thư checks the (now trusted) signature and registers it.
        await eventually(lambda: _open(b, b_handled.id, "accept"), timeout=30)
        await act_on_step(b.engine, b.client, "vanthu.bnv", b_handled.id, "accept", "vao_so", "h0")
        direct = await eventually(lambda: _open(b, b_handled.id, "direct"), timeout=30)  # registered (03)
        assert rows(b.engine, SignatureCheck, SignatureCheck.document_id == b_handled.id)[0].verdict == "valid"
        await _report(a, b, b_handled, "03")

        vtlt = rows(b.engine, OrgUnit, OrgUnit.abbreviation == "VTLT")[0]
        officer, _ = user_and_roles(b.engine, "chuyenvien.bnv")
        await act_on_step(b.engine, b.client, "lanhdao.bnv", b_handled.id, "direct", "giao_xu_ly", "h1",
                          opinion="Giao Cục Văn thư và Lưu trữ nhà nước chủ trì", lead_unit_id=str(vtlt.id))
        await _report(a, b, b_handled, "04")
        await act_on_step(b.engine, b.client, "truongphong.bnv", b_handled.id, "assign", "phan_cong", "h2",
                          handler_id=str(officer.id), opinion="Đồng chí Khoa xử lý")
        await _report(a, b, b_handled, "05")
        await act_on_step(b.engine, b.client, "chuyenvien.bnv", b_handled.id, "handle", "hoan_thanh", "h3",
                          result="Đã tổng hợp, báo cáo Lãnh đạo Bộ")
        await _report(a, b, b_handled, "06")
        assert direct.step == "direct"

        events = _statuses(a, handled.id)
        assert [e.code for e in events] == ["01", "03", "04", "05", "06"]
        assert all(e.at is not None for e in events)
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert [e.by_name for e in events][2:] == ["Ngô Quang Vinh", "Đặng Thu Trang", "Lương Minh Khoa"]

        # 4. A recalls a document B has registered; B receives the revocation and agrees: A sees 15.
        recalled = await _issue(a, "two-c")
        assert (await b.poll()).stored == 1
        b_recalled = _received(b, recalled)
        await eventually(lambda: _open(b, b_recalled.id, "accept"), timeout=30)
        await act_on_step(b.engine, b.client, "vanthu.bnv", b_recalled.id, "accept", "vao_so", "c0")
        await eventually(lambda: _open(b, b_recalled.id, "direct"), timeout=30)
        await b.poll()
        await b.all_sent(b_recalled.id)  # 01 and 03
        clerk, clerk_roles = user_and_roles(a.engine, "vanthu")
        recall_reason = "Văn bản ban hành nhầm số liệu, thu hồi để sửa"
        asked = await recall_outgoing(a.engine, a.client, a.settings, user=clerk, roles=clerk_roles,
                                      document_id=recalled.id, reason=recall_reason)
        assert asked == 2  # Sở Nội vụ (inside A) and Bộ Nội vụ (through the hub)
        revocation = rows(a.engine, HubOutbox, HubOutbox.document_id == recalled.id,
                          HubOutbox.dedup_key.startswith("revoke:"))
        assert len(revocation) == 1 and revocation[0].to_code == MINISTRY_CODE
        await a.all_sent(recalled.id)  # its delivery was started by the recall itself
        assert (await b.poll()).revoked == 1
        await eventually(lambda: _open(b, b_recalled.id, "recall"), timeout=30)
        await act_on_step(b.engine, b.client, "vanthu.bnv", b_recalled.id, "recall", "dong_y_thu_hoi", "c1",
                          note="Đã thu hồi")
        await eventually(lambda: rows(b.engine, Document, Document.id == b_recalled.id)[0].status
                         == DocumentStatus.RECALLED)
        assert rows(b.engine, Document, Document.id == b_recalled.id)[0].recall_reason == recall_reason
        await _report(a, b, b_recalled, "15")
        assert not rows(b.engine, Task, Task.document_id == b_recalled.id,
                        Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED]))

    # Nothing lost, nothing twice: three documents at B, each once; each status once at A.
    received = rows(b.engine, Document, Document.source == DocumentSource.HUB)
    assert sorted(d.external_document_id for d in received) == sorted(
        d.external_document_id for d in (returned, handled, recalled))
    assert len(rows(b.engine, RegisterEntry)) == 2  # the returned one was never registered
    inbound = rows(b.engine, HubInbound)
    assert sorted(r.outcome for r in inbound) == ["revoke", "stored", "stored", "stored"]
    assert all(r.acked_at is not None for r in inbound)
    assert sorted(e.code for e in _statuses(a, returned.id)) == ["01", "02"]
    assert sorted(e.code for e in _statuses(a, recalled.id)) == ["01", "03", "15"]
    assert [r.outcome for r in rows(a.engine, HubInbound)] == ["status"] * 10
    assert all(o.transport_status == "sent" for o in rows(b.engine, HubOutbox) + rows(a.engine, HubOutbox))
    for installation in (a, b):
        async with installation.hub_factory() as hub:
            assert await hub.received("edoc") == [] and await hub.received("status") == []
    # The two installations stayed apart: B hosts only the ministry, A never hosted it.
    assert [x.code for x in rows(b.engine, Agency, Agency.hosted == True)] == [MINISTRY_CODE]  # noqa: E712
    assert MINISTRY_CODE not in [x.code for x in rows(a.engine, Agency, Agency.hosted == True)]  # noqa: E712


def _open(installation: Installation, document_id: str, step: str) -> Task | None:
    found = rows(installation.engine, Task, Task.document_id == document_id, Task.step == step,
                 Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED]))
    return found[0] if found else None


def test_a_late_handling_status_never_hides_a_return_or_an_agreed_recall():
    """Statuses cross the hub in any order: 01 arriving after 02 (or 15) joins the history only."""
    engine = make_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with transaction(engine) as session:
        seed_organisation(session)
        office = session.exec(select(Agency).where(Agency.code == "000.00.01.H23")).one()
        ministry = session.exec(select(Agency).where(Agency.code == MINISTRY_CODE)).one()
        clerk = User(username="vanthu", full_name="Văn thư", agency_id=office.id, password_hash="x")
        session.add(clerk)
        session.flush()
        sent = Document(id=str(uuid.uuid4()), direction=Direction.OUTGOING, agency_id=office.id,
                        status=DocumentStatus.ISSUED, created_by=clerk.id)
        session.add(sent)
        session.flush()
        for position, answer in enumerate(("02", "15", "16"), start=1):
            recipient = Recipient(document_id=sent.id, position=position, kind=RecipientKind.EXTERNAL,
                                  agency_id=ministry.id, organ_id=MINISTRY_CODE, organ_name=ministry.name)
            session.add(recipient)
            session.flush()
            at = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
            add_recipient_event(session, recipient, answer, at, note="Trả lời")
            add_recipient_event(session, recipient, "01", at)
            # After a refused recall the recipient keeps handling: progress shows again.
            assert recipient.business_status == ("01" if answer == "16" else answer)
        assert len(session.exec(select(RecipientEvent)).all()) == 6
