"""Push notifications of urgent documents: the devices, the outbox filled with each notification,
and delivery with pywebpush to a push service (a small local one that records what it was sent)."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from sqlalchemy import update
from sqlmodel import col

from activities.push import deliver_pending
from activities.tasks import TaskActivities
from config.settings import Settings
from models.audit import AuditEvent
from models.db import transaction, utcnow
from models.documents.tables import Document
from models.notifications.notify import notify
from models.notifications.tables import Notification
from models.push import repo as push_repo
from models.push import vapid
from models.push.tables import PushMessage, PushSubscription
from models.vocab import Role, Urgency
from tests.factories import make_document, make_org
from tests.helpers import rows
from workflows.contracts import OpenTaskInput


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Browser:
    """A browser's side of a subscription: the keys it made, to read what it was sent."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return _b64(self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                               serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return _b64(self.auth_secret)

    def read(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret,
                                           version="aes128gcm"))


class PushService:
    """A push service on 127.0.0.1: records each request and answers ``status``."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                service.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    service.thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


def _world(engine, urgency: Urgency = Urgency.FLASH):
    with transaction(engine) as session:
        org = make_org(session)
        org.users["leader"].email = "leader@hanam.gov.vn"
        document = make_document(session, org, subject="V/v tuyển dụng công chức năm 2027")
        document.code_number, document.code_notation, document.urgency = "318", "SNV-TCBM", urgency
        session.add_all([org.users["leader"], document])
        return {name: user.id for name, user in org.users.items()}, document.id


def _subscribe(engine, user_id: int, browser: Browser) -> int:
    with transaction(engine) as session:
        row, _, _ = push_repo.subscribe(session, user_id, browser.endpoint, browser.p256dh, browser.auth)
        return row.id


def _notify(engine, user_ids, document_id, code="urgent_task") -> None:
    with transaction(engine) as session:
        notify(session, user_ids, document_id, code, urgent=True, step="direct")


def _settings(tmp_path, **overrides) -> Settings:
    return Settings(var_dir=tmp_path, smtp_from="QLVB <vanthu@hanam.gov.vn>", **overrides)


def test_a_notification_about_an_urgent_document_is_queued_for_each_device_of_people_who_opted_in(engine):
    people, document_id = _world(engine)
    phone = _subscribe(engine, people["leader"], Browser("https://fcm.googleapis.com/fcm/send/phone"))
    laptop = _subscribe(engine, people["leader"], Browser("https://updates.push.services.mozilla.com/wpush/v2/l"))
    _notify(engine, [people["leader"], people["deputy"]], document_id)  # the deputy never opted in
    queued = rows(engine, PushMessage)
    assert sorted(m.subscription_id for m in queued) == sorted([phone, laptop])
    with transaction(engine) as session:  # queueing the same notification again adds nothing
        notification = session.get(Notification, queued[0].notification_id)
        assert push_repo.queue_push(session, notification) == 0
    assert len(rows(engine, PushMessage)) == 2


def test_a_normal_document_or_a_notification_without_one_is_not_pushed(engine):
    people, document_id = _world(engine, Urgency.NORMAL)
    _subscribe(engine, people["leader"], Browser("https://fcm.googleapis.com/fcm/send/phone"))
    _notify(engine, [people["leader"]], document_id, code="new_task")
    _notify(engine, [people["leader"]], None, code="backup_failed")
    assert rows(engine, PushMessage) == []


def test_the_payload_names_no_person_and_no_content_of_the_document(engine):
    people, document_id = _world(engine)
    _subscribe(engine, people["leader"], Browser("https://fcm.googleapis.com/fcm/send/phone"))
    _notify(engine, [people["leader"]], document_id)
    [message] = rows(engine, PushMessage)
    text = json.dumps(message.payload, ensure_ascii=False)
    assert message.payload["url"] == f"/documents/{document_id}" and "318/SNV-TCBM" in text
    for personal in ("tuyển dụng", "Sở Tài chính", "Leader", "leader@hanam.gov.vn", "Công văn"):
        assert personal not in text
    assert set(message.payload) == {"title", "body", "url", "tag"}


def test_a_browser_turned_off_or_taken_over_gets_nothing_more_of_the_previous_person(engine):
    people, document_id = _world(engine)
    shared = Browser("https://fcm.googleapis.com/fcm/send/shared")
    subscription = _subscribe(engine, people["leader"], shared)
    _notify(engine, [people["leader"]], document_id)
    with transaction(engine) as session:  # the deputy logs in on the same computer and turns pushes on
        row, previous, changed = push_repo.subscribe(session, people["deputy"], shared.endpoint, shared.p256dh,
                                                     shared.auth)
    assert (row.id, previous, changed) == (subscription, people["leader"], True)
    assert [m.outcome for m in rows(engine, PushMessage)] == ["dropped"]
    with transaction(engine) as session:
        assert push_repo.subscribe(session, people["deputy"], shared.endpoint, shared.p256dh, shared.auth)[2] is False
        assert push_repo.unsubscribe(session, people["leader"], shared.endpoint) is None  # not the leader's now
        assert push_repo.unsubscribe(session, people["deputy"], shared.endpoint).revoked_reason == "tat"
    _notify(engine, [people["deputy"]], document_id)
    assert len(rows(engine, PushMessage)) == 1


def test_a_push_is_encrypted_for_the_browser_and_signed_with_the_installation_s_vapid_key(engine, tmp_path,
                                                                                          push_service):
    people, document_id = _world(engine)
    browser = Browser(f"{push_service.origin}/push/leader-phone")
    subscription = _subscribe(engine, people["leader"], browser)
    _notify(engine, [people["leader"]], document_id)
    settings = _settings(tmp_path)

    assert deliver_pending(engine, settings) == 1
    [(path, headers, body)] = push_service.received
    assert path == "/push/leader-phone"
    assert headers["content-encoding"] == "aes128gcm"
    assert b"318" not in body  # encrypted: the push service reads nothing
    assert int(headers["ttl"]) > 0 and headers["urgency"] == "high"
    scheme, _, token = headers["authorization"].partition(" ")
    assert scheme == "vapid" and Vapid02.verify(headers["authorization"])
    parts = dict(item.split("=", 1) for item in token.split(","))
    assert parts["k"] == vapid.application_server_key(settings)  # signed by this installation's key
    claims = json.loads(base64.urlsafe_b64decode(parts["t"].split(".")[1] + "=="))
    assert claims["aud"] == push_service.origin and claims["sub"] == "mailto:vanthu@hanam.gov.vn"
    shown = browser.read(body)
    assert shown["url"] == f"/documents/{document_id}" and "318/SNV-TCBM" in shown["body"]

    [message] = rows(engine, PushMessage)
    assert (message.outcome, message.attempts) == ("sent", 1)
    device = rows(engine, PushSubscription, PushSubscription.id == subscription)[0]
    assert device.last_success_at is not None and device.failures == 0
    assert deliver_pending(engine, settings) == 0  # sent once, never again
    assert len(push_service.received) == 1


def test_an_expired_subscription_is_revoked_and_audited(engine, tmp_path, push_service):
    people, document_id = _world(engine)
    subscription = _subscribe(engine, people["leader"], Browser(f"{push_service.origin}/push/gone"))
    _notify(engine, [people["leader"]], document_id)
    push_service.status = 410

    assert deliver_pending(engine, _settings(tmp_path)) == 0
    device = rows(engine, PushSubscription, PushSubscription.id == subscription)[0]
    assert device.revoked_at is not None and device.revoked_reason == "het_han"
    assert [m.outcome for m in rows(engine, PushMessage)] == ["expired"]
    [event] = rows(engine, AuditEvent, AuditEvent.code == "push.expired")
    assert (event.subject_id, event.data["subscription_id"]) == (str(people["leader"]), subscription)
    _notify(engine, [people["leader"]], document_id)  # nothing more is queued for that browser
    assert len(rows(engine, PushMessage)) == 1


def test_other_failures_are_counted_and_retried_without_failing_the_round(engine, tmp_path, push_service):
    people, document_id = _world(engine)
    subscription = _subscribe(engine, people["leader"], Browser(f"{push_service.origin}/push/busy"))
    _notify(engine, [people["leader"]], document_id)
    push_service.status = 503
    settings = _settings(tmp_path)

    for attempt in range(1, push_repo.MAX_ATTEMPTS + 1):
        assert deliver_pending(engine, settings) == 0
        [message] = rows(engine, PushMessage)
        assert message.attempts == attempt and message.last_error == "HTTP 503"
    assert message.outcome == "failed"
    device = rows(engine, PushSubscription, PushSubscription.id == subscription)[0]
    assert device.failures == push_repo.MAX_ATTEMPTS and device.revoked_at is None
    assert deliver_pending(engine, settings) == 0
    assert len(push_service.received) == push_repo.MAX_ATTEMPTS

    push_service.status = 201  # the service is back: the next urgent notification gets through
    _notify(engine, [people["leader"]], document_id, code="overdue")
    assert deliver_pending(engine, settings) == 1
    assert rows(engine, PushSubscription, PushSubscription.id == subscription)[0].failures == 0


def test_an_unreachable_push_service_is_a_counted_failure(engine, tmp_path):
    people, document_id = _world(engine)
    _subscribe(engine, people["leader"], Browser("http://127.0.0.1:9/push/nobody"))
    _notify(engine, [people["leader"]], document_id)
    assert deliver_pending(engine, _settings(tmp_path)) == 0
    [message] = rows(engine, PushMessage)
    assert message.attempts == 1 and message.outcome == "" and message.last_error


def test_a_claimed_push_is_not_taken_twice_and_old_ones_go_stale(engine):
    people, document_id = _world(engine)
    _subscribe(engine, people["leader"], Browser("https://fcm.googleapis.com/fcm/send/phone"))
    _notify(engine, [people["leader"]], document_id)
    with transaction(engine) as session:
        assert len(push_repo.claim_due(session)) == 1
    with transaction(engine) as session:
        assert push_repo.claim_due(session) == []  # another sender holds it
    with transaction(engine) as session:
        session.execute(update(PushMessage).values(created_at=utcnow().replace(year=2020), claimed_until=None))
        assert push_repo.drop_unsendable(session) == 1
    assert [m.outcome for m in rows(engine, PushMessage)] == ["stale"]


def test_with_push_turned_off_nothing_is_sent(engine, tmp_path, push_service):
    people, document_id = _world(engine)
    _subscribe(engine, people["leader"], Browser(f"{push_service.origin}/push/off"))
    _notify(engine, [people["leader"]], document_id)
    assert deliver_pending(engine, _settings(tmp_path, push_enabled=False)) == 0
    assert push_service.received == []
    assert rows(engine, PushMessage, col(PushMessage.outcome) == "dropped") != []


def test_a_step_opened_on_an_urgent_document_pushes_to_the_leaders_who_opted_in(engine, tmp_path, push_service):
    """The whole path: the workflow's open_task notifies, the round pushes, once, retries included."""
    people, document_id = _world(engine, Urgency.VERY_URGENT)
    with transaction(engine) as session:
        agency_id = session.get(Document, document_id).agency_id
        workflow_id = session.get(Document, document_id).workflow_id
    browser = Browser(f"{push_service.origin}/push/leader")
    _subscribe(engine, people["leader"], browser)
    step = OpenTaskInput(workflow_id=workflow_id, task_key="direct:1", document_id=document_id, step="direct",
                         agency_id=agency_id, candidate_role=Role.AGENCY_LEADER, actions=["giao_xu_ly"],
                         urgency_rank=2, due_at=None)
    tasks = TaskActivities(engine)
    tasks.open_task(step)
    tasks.open_task(step)  # a retried activity notifies once
    assert deliver_pending(engine, _settings(tmp_path)) == 1
    [(_, _, body)] = push_service.received
    shown = browser.read(body)
    assert shown["title"] == "QLVB · Văn bản thượng khẩn"
    assert shown["body"] == "Văn bản KHẨN cần xử lý ngay: số 318/SNV-TCBM"
