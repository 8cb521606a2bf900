"""E-mail copies of notifications: composition, queueing in the event's transaction, delivery."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from config.settings import Settings
from models.db import transaction
from models.notifications import mail
from models.notifications.mail import MAX_ATTEMPTS, deliver_pending, mailbox_path, queue_mail
from models.notifications.notify import notify
from models.notifications.tables import MailMessage, Notification
from models.vocab import Urgency
from tests.factories import make_document, make_org
from tests.helpers import rows
from web import labels


def _org_with_addresses(engine):
    """An org where the leader and the deputy have addresses and the officer has none."""
    with transaction(engine) as session:
        org = make_org(session)
        org.users["leader"].email = "leader@hanam.gov.vn"
        org.users["deputy"].email = " deputy@hanam.gov.vn "
        document = make_document(session, org, subject="V/v tuyển dụng công chức năm 2027")
        document.code_number, document.code_notation = "318", "SNV-TCBM"
        document.urgency = Urgency.URGENT
        session.add_all([org.users["leader"], org.users["deputy"], document])
        ids = {name: user.id for name, user in org.users.items()}
        return ids, document.id


def _dev_settings(tmp_path, **overrides) -> Settings:
    return Settings(var_dir=tmp_path, mail_base_url="https://qlvb.hanam.gov.vn/", **overrides)


def test_every_notification_code_and_step_has_words():
    """A notification or step without Vietnamese words would reach officials as a code."""
    assert {"new_task", "urgent_task", "overdue", "due_soon"} <= set(labels.NOTIFICATION_LABELS)
    assert {"direct", "assign", "handle", "extension", "accept"} <= set(labels.STEP_LABELS)


def test_settings_default_to_the_dev_mailbox_until_an_smtp_host_is_set(tmp_path):
    assert Settings(var_dir=tmp_path).mail_dev_mailbox is True
    assert Settings(var_dir=tmp_path, smtp_host="mail.hanam.gov.vn").mail_dev_mailbox is False
    assert Settings(var_dir=tmp_path, smtp_host="mail.hanam.gov.vn", mail_dev_mailbox=True).mail_dev_mailbox
    assert Settings(var_dir=tmp_path, web_port=8080).mail_base_url == "http://127.0.0.1:8080"


def test_notify_queues_a_vietnamese_message_for_people_with_an_address(sqlite_engine):
    ids, document_id = _org_with_addresses(sqlite_engine)
    with transaction(sqlite_engine) as session:
        sent = notify(session, [ids["leader"], ids["deputy"], ids["officer"]], document_id, "urgent_task",
                      urgent=True, step="direct", task_id=7)
    assert sent == 3
    messages = sorted(rows(sqlite_engine, MailMessage), key=lambda m: m.to_address)
    assert [m.to_address for m in messages] == ["deputy@hanam.gov.vn", "leader@hanam.gov.vn"]
    leader = messages[1]
    assert leader.subject == "[QLVB] Văn bản KHẨN cần xử lý ngay: 318/SNV-TCBM"
    assert leader.urgent and leader.sent_at is None and leader.attempts == 0
    assert "Trích yếu: V/v tuyển dụng công chức năm 2027" in leader.body_text
    assert "Bước xử lý: Cho ý kiến chỉ đạo" in leader.body_text
    assert "Mức độ khẩn: Khẩn" in leader.body_text
    body = mail.render_body(leader, "https://qlvb.hanam.gov.vn/")
    assert f"https://qlvb.hanam.gov.vn/documents/{document_id}\n" in body
    notification = rows(sqlite_engine, Notification, Notification.id == leader.notification_id)[0]
    assert notification.user_id == ids["leader"]


def test_queueing_is_idempotent_on_the_notification(sqlite_engine):
    ids, document_id = _org_with_addresses(sqlite_engine)
    with transaction(sqlite_engine) as session:
        notify(session, [ids["leader"]], document_id, "overdue", urgent=True, step="handle")
    with transaction(sqlite_engine) as session:
        notification = session.get(Notification, rows(sqlite_engine, Notification)[0].id)
        again = queue_mail(session, notification)
    messages = rows(sqlite_engine, MailMessage)
    assert len(messages) == 1 and again.id == messages[0].id
    assert messages[0].subject == "[QLVB] Văn bản quá hạn xử lý: 318/SNV-TCBM"


def test_a_rolled_back_event_queues_nothing(sqlite_engine):
    ids, document_id = _org_with_addresses(sqlite_engine)
    with pytest.raises(RuntimeError), transaction(sqlite_engine) as session:
        notify(session, [ids["leader"]], document_id, "new_task", step="handle")
        raise RuntimeError("the activity failed after notifying")
    assert rows(sqlite_engine, MailMessage) == []


def test_the_dev_mailbox_writes_eml_files_urgent_first_and_only_once(sqlite_engine, tmp_path):
    ids, document_id = _org_with_addresses(sqlite_engine)
    with transaction(sqlite_engine) as session:
        notify(session, [ids["deputy"]], document_id, "new_task", step="handle")
        notify(session, [ids["leader"]], document_id, "urgent_task", urgent=True, step="direct")
    settings = _dev_settings(tmp_path)

    assert deliver_pending(sqlite_engine, settings, limit=1) == 1
    first = rows(sqlite_engine, MailMessage, MailMessage.sent_at.is_not(None))
    assert [m.to_address for m in first] == ["leader@hanam.gov.vn"]  # the urgent one went first
    assert deliver_pending(sqlite_engine, settings) == 1
    assert deliver_pending(sqlite_engine, settings) == 0

    files = sorted(settings.mail_dir.glob("*.eml"))
    assert len(files) == 2
    leader = rows(sqlite_engine, MailMessage, MailMessage.to_address == "leader@hanam.gov.vn")[0]
    with mailbox_path(settings.mail_dir, leader.id).open("rb") as handle:
        parsed = email.message_from_binary_file(handle, policy=policy.default)
    assert parsed["Subject"] == "[QLVB] Văn bản KHẨN cần xử lý ngay: 318/SNV-TCBM"
    assert parsed["To"] == "leader@hanam.gov.vn"
    assert parsed["From"] == settings.smtp_from and parsed["Date"] and parsed["Message-ID"]
    body = parsed.get_body(("plain",)).get_content()
    assert f"https://qlvb.hanam.gov.vn/documents/{document_id}" in body
    assert "Trích yếu: V/v tuyển dụng công chức năm 2027" in body
    assert leader.attempts == 1 and leader.last_error == ""


class _Inbox:
    """aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_it_delivers_over_smtp(sqlite_engine, tmp_path, smtp_server):
    controller, inbox = smtp_server
    ids, document_id = _org_with_addresses(sqlite_engine)
    with transaction(sqlite_engine) as session:
        notify(session, [ids["leader"], ids["deputy"]], document_id, "urgent_task", urgent=True, step="direct")
    settings = _dev_settings(tmp_path, smtp_host=controller.hostname, smtp_port=controller.port,
                             smtp_from="QLVB Hà Nam <qlvb@hanam.gov.vn>")
    assert settings.mail_dev_mailbox is False

    assert deliver_pending(sqlite_engine, settings) == 2
    assert sorted(rcpt for e in inbox.messages for rcpt in e.rcpt_tos) == ["deputy@hanam.gov.vn",
                                                                            "leader@hanam.gov.vn"]
    parsed = email.message_from_bytes(inbox.messages[0].original_content, policy=policy.default)
    assert parsed["Subject"] == "[QLVB] Văn bản KHẨN cần xử lý ngay: 318/SNV-TCBM"
    assert f"/documents/{document_id}" in parsed.get_body(("plain",)).get_content()
    assert all(m.sent_at is not None for m in rows(sqlite_engine, MailMessage))
    assert not list(settings.mail_dir.glob("*.eml"))
    assert deliver_pending(sqlite_engine, settings) == 0 and len(inbox.messages) == 2


def test_a_failing_smtp_server_counts_attempts_and_keeps_the_row(sqlite_engine, tmp_path):
    ids, document_id = _org_with_addresses(sqlite_engine)
    with transaction(sqlite_engine) as session:
        notify(session, [ids["leader"]], document_id, "new_task", step="handle")
    settings = _dev_settings(tmp_path, smtp_host="127.0.0.1", smtp_port=_free_port())  # nobody listens

    assert deliver_pending(sqlite_engine, settings) == 0
    [message] = rows(sqlite_engine, MailMessage)
    assert message.sent_at is None and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error

    with transaction(sqlite_engine) as session:
        session.get(MailMessage, message.id).attempts = MAX_ATTEMPTS - 1
    assert deliver_pending(sqlite_engine, settings) == 0
    assert rows(sqlite_engine, MailMessage)[0].attempts == MAX_ATTEMPTS
    assert deliver_pending(sqlite_engine, settings) == 0  # capped: no connection tried any more
    assert rows(sqlite_engine, MailMessage)[0].attempts == MAX_ATTEMPTS


def test_a_refused_recipient_fails_alone(sqlite_engine, tmp_path):
    class Picky(_Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("deputy"):
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    inbox = Picky()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        ids, document_id = _org_with_addresses(sqlite_engine)
        with transaction(sqlite_engine) as session:
            notify(session, [ids["leader"], ids["deputy"]], document_id, "new_task", step="handle")
        settings = _dev_settings(tmp_path, smtp_host="127.0.0.1", smtp_port=controller.port)
        assert deliver_pending(sqlite_engine, settings) == 1
    finally:
        controller.stop()
    by_address = {m.to_address: m for m in rows(sqlite_engine, MailMessage)}
    assert by_address["leader@hanam.gov.vn"].sent_at is not None
    deputy = by_address["deputy@hanam.gov.vn"]
    assert deputy.sent_at is None and deputy.attempts == 1 and "550" in deputy.last_error



def test_a_claimed_message_is_not_taken_by_a_second_sender_until_the_claim_runs_out(sqlite_engine, tmp_path):
    """Two workers draining the outbox at once never send the same message twice."""
    from datetime import timedelta

    from models.db import utcnow
    from models.notifications.mail import claim, pending

    ids, document_id = _org_with_addresses(sqlite_engine)
    with transaction(sqlite_engine) as session:
        notify(session, [ids["leader"]], document_id, "new_task", step="handle")
    now = utcnow()
    with transaction(sqlite_engine) as session:
        [message] = pending(session, now=now)
        assert claim(session, message.id, now + timedelta(minutes=10), now)
    with transaction(sqlite_engine) as session:  # the other worker, a moment later
        assert pending(session, now=now + timedelta(seconds=1)) == []
        assert not claim(session, message.id, now + timedelta(minutes=10), now + timedelta(seconds=1))
    with transaction(sqlite_engine) as session:  # the first sender died: its claim runs out
        later = now + timedelta(minutes=11)
        assert [m.id for m in pending(session, now=later)] == [message.id]
        assert claim(session, message.id, later + timedelta(minutes=10), later)
