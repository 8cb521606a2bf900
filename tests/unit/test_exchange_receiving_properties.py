"""Property-based tests of the hub receiving state machine (issue 5): whatever order the hub offers
packages in, however often, and wherever the receiver crashes between storing and acknowledging,
each document is registered exactly once, statuses land on the right recipient, and a recipient's
current status never moves backwards.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlmodel import SQLModel, func, select

import models.all  # noqa: F401
from models.db import make_engine, transaction
from models.documents.tables import Document
from models.exchange import repo as exchange_repo
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
from models.exchange.tables import HubInbound
from models.org.tables import Agency, User, UserRole
from models.outgoing.recipient_status import PROGRESS_RANK
from models.outgoing.tables import Recipient, RecipientKind
from models.processes.repo import publish
from models.processes.schema import DEFAULT_INCOMING
from models.seed.demo import seed_organisation
from models.vocab import Direction, DocumentSource, DocumentStatus, Role
from tests.conftest import minimal_pdf

OFFICE, MINISTRY = "000.00.01.H23", "000.00.00.G09"
PDF = minimal_pdf(1)
INCOMING_KEYS = [f"000.00.00.G09,2026/11/{day:02d},{day}/BNV-VP" for day in range(1, 5)]
OUR_KEY = "000.00.01.H23,2026/11/20,07/VP-TH"
STATUS_ORDER = ["01", "03", "04", "05", "06"]


def _edoc(document_id: str) -> bytes:
    number = document_id.rsplit(",", 1)[1].split("/")[0]
    return build_package(EdocPackage(
        sender=Organization(MINISTRY, "Bộ Nội vụ"), recipients=(Organization(OFFICE, "Văn phòng"),),
        document_id=document_id, code=Code(number, "BNV-VP"), subject=f"Văn bản số {number}",
        business=Business(doc_type=BusinessDocType.NEW),
        attachments=(Attachment(content_id="c1", name="vb.pdf", content_type="application/pdf", data=PDF),)))


def _status(code: str, minute: int) -> bytes:
    return build_package(StatusPackage(
        sender=Organization(MINISTRY, "Bộ Nội vụ"),
        response_for=ResponseFor(OFFICE, "07/VP-TH", date(2026, 11, 20), OUR_KEY), status_code=code,
        timestamp=datetime(2026, 11, 21, 2, 0, tzinfo=UTC) + timedelta(minutes=minute)))


class Receiving(RuleBasedStateMachine):
    """The hub offers packages (new documents and statuses); the receiver stores, maybe crashes, acks."""

    def __init__(self) -> None:
        super().__init__()
        self.engine = make_engine("sqlite://")
        SQLModel.metadata.create_all(self.engine)
        self.blobs: dict[str, bytes] = {}
        with transaction(self.engine) as session:
            seed_organisation(session)
            publish(session, DEFAULT_INCOMING, actor_id=None)  # a received document is pinned to it
            office = session.exec(select(Agency).where(Agency.code == OFFICE)).one()
            ministry = session.exec(select(Agency).where(Agency.code == MINISTRY)).one()
            clerk = User(username="vanthu", full_name="Văn thư", agency_id=office.id, password_hash="x")
            session.add(clerk)
            session.flush()
            session.add(UserRole(user_id=clerk.id, role=Role.CLERK))
            ours = Document(id=str(uuid.uuid4()), direction=Direction.OUTGOING, agency_id=office.id,
                            status=DocumentStatus.ISSUED, external_document_id=OUR_KEY, created_by=clerk.id)
            session.add(ours)
            session.flush()
            session.add(Recipient(document_id=ours.id, position=1, kind=RecipientKind.EXTERNAL,
                                  agency_id=ministry.id, organ_id=MINISTRY, organ_name=ministry.name))
        self.offered: dict[str, bytes] = {}  # hub id -> package still offered (not acknowledged)
        self.new_keys_offered: set[str] = set()
        self.best_status = 0  # furthest status offered
        self.stored_best = 0  # furthest status the receiver has taken
        self.status_rank: dict[str, int] = {}

    def _put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return digest

    def _receive(self, hub_id: str, data: bytes, message_type: str, ack: bool) -> None:
        with transaction(self.engine) as session:
            received = exchange_repo.store_received(session, hub_doc_id=hub_id, message_type=message_type,
                                                    data=data, sha256=self._put(data), put=self._put)
        assert received.ack == "done"
        self.stored_best = max(self.stored_best, self.status_rank.get(hub_id, 0))
        if ack:
            self.offered.pop(hub_id, None)

    @rule(key=st.sampled_from(INCOMING_KEYS))
    def the_sender_sends_a_document(self, key: str) -> None:
        self.offered[f"hub-{uuid.uuid4()}"] = _edoc(key)  # a retry by the sender is a new hub id
        self.new_keys_offered.add(key)

    @rule(code=st.sampled_from(STATUS_ORDER), minute=st.integers(0, 60))
    def the_recipient_reports_a_status(self, code: str, minute: int) -> None:
        hub_id = f"hub-{uuid.uuid4()}"
        self.offered[hub_id] = _status(code, minute)
        self.status_rank[hub_id] = PROGRESS_RANK[code]
        self.best_status = max(self.best_status, PROGRESS_RANK[code])

    @precondition(lambda self: self.offered)
    @rule(data=st.data(), crash_before_ack=st.booleans())
    def the_receiver_takes_one(self, data, crash_before_ack: bool) -> None:
        hub_id = data.draw(st.sampled_from(sorted(self.offered)))
        package = self.offered[hub_id]
        kind = "status" if b"StatusCode" in package else "edoc"
        self._receive(hub_id, package, kind, ack=not crash_before_ack)

    @invariant()
    def each_document_is_registered_at_most_once_and_only_if_offered(self) -> None:
        with transaction(self.engine) as session:
            keys = session.exec(select(Document.external_document_id).where(
                Document.source == DocumentSource.HUB)).all()
        assert len(keys) == len(set(keys))
        assert set(keys) <= self.new_keys_offered

    @invariant()
    def the_current_status_is_the_furthest_seen(self) -> None:
        with transaction(self.engine) as session:
            recipient = session.exec(select(Recipient)).one()
            stored = session.exec(select(func.count()).select_from(HubInbound).where(
                HubInbound.outcome == "status")).one()
        if stored:  # a late or repeated status never hides a further one
            assert PROGRESS_RANK[recipient.business_status] == self.stored_best <= self.best_status

    def teardown(self) -> None:
        # Everything still offered is finally taken: each document key is then registered once.
        for hub_id, package in list(self.offered.items()):
            self._receive(hub_id, package, "status" if b"StatusCode" in package else "edoc", ack=True)
        with transaction(self.engine) as session:
            keys = session.exec(select(Document.external_document_id).where(
                Document.source == DocumentSource.HUB)).all()
        assert sorted(keys) == sorted(self.new_keys_offered)
        self.engine.dispose()


Receiving.TestCase.settings = settings(max_examples=25, stateful_step_count=12, deadline=None,
                                       suppress_health_check=[HealthCheck.too_slow])
TestReceiving = Receiving.TestCase
