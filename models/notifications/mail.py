"""E-mail copies of notifications: an outbox filled in the notification's transaction, drained later.

``queue_mail`` runs inside ``notifications.notify`` (same transaction as the event), so a
notification and its e-mail are written together or not at all; ``notification_id`` is unique,
so nothing is queued twice. ``deliver_pending`` runs from the worker's reconcile loop: it sends
each unsent row over SMTP or, in development, writes it as an ``.eml`` file under ``var/mail/``
(the dev mailbox, also readable at ``/dev/mailbox``), then marks it sent in its own transaction.
A failed send counts an attempt and keeps the error; after ``MAX_ATTEMPTS`` the row is left alone
for an operator. A crash between the send and the mark may send one message twice, never lose it.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.db import transaction, utcnow
from models.documents.tables import Document
from models.notifications.tables import MailMessage, Notification
from models.org.tables import User
from models.registers.numbering import VIETNAM, so_ky_hieu
from models.wording import NOTIFICATION_LABELS, STEP_LABELS, URGENCY_LABELS

if TYPE_CHECKING:  # models never import config at run time; the worker passes the settings in
    from config.settings import Settings

log = logging.getLogger("qlvb.mail")

MAX_ATTEMPTS = 10
# How long a sender may hold a claimed message: far longer than a batch of 50 takes over SMTP.
CLAIM_LEASE = timedelta(minutes=10)


# --- composition -----------------------------------------------------------------------------

def compose(notification: Notification, document: Document | None) -> tuple[str, str, str]:
    """Subject, body text and link path of a notification's e-mail, in Vietnamese."""
    title = NOTIFICATION_LABELS.get(notification.code, "Thông báo")
    number = so_ky_hieu(document.code_number, document.code_notation) if document else ""
    subject = f"[QLVB] {title}: {number}" if number else f"[QLVB] {title}"
    lines = [title + "."]
    if document is not None:
        lines += ["", f"Số, ký hiệu: {number or '(chưa có)'}",
                  f"Trích yếu: {document.subject}"]
        if document.organ_name:
            lines.append(f"Cơ quan ban hành: {document.organ_name}")
        lines.append(f"Mức độ khẩn: {URGENCY_LABELS.get(document.urgency, document.urgency)}")
    step = notification.data.get("step")
    if step:
        lines.append(f"Bước xử lý: {STEP_LABELS.get(step, step)}")
    detail = notification.data.get("detail")
    if detail:  # what went wrong, for notifications about the installation (a failed backup)
        lines += ["", str(detail)]
    # A notification about something else than a document (a weekly work schedule) names its page.
    link = f"/documents/{document.id}" if document is not None else notification.data.get("link") or "/notifications"
    return subject[:300], "\n".join(lines), link


def render_body(message: MailMessage, base_url: str) -> str:
    """The full text sent: the stored body, the link and the footer."""
    return (f"{message.body_text}\n\nXem và xử lý tại: {base_url.rstrip('/')}{message.link_path}\n\n"
            "--\nThư gửi tự động từ Hệ thống quản lý văn bản và điều hành (QLVB). Vui lòng không trả lời thư này.\n")


def queue_mail(session: Session, notification: Notification) -> MailMessage | None:
    """Queue the e-mail copy of a notification just added; nothing when the person has no address.

    Called inside ``notify`` (the caller commits). Idempotent on ``notification_id``.
    """
    user = session.get(User, notification.user_id)
    if user is None or not user.email.strip():
        return None
    if notification.id is None:
        session.flush()  # the notification's id is the outbox's business key
    existing = session.exec(select(MailMessage).where(MailMessage.notification_id == notification.id)).first()
    if existing is not None:
        return existing
    document = session.get(Document, notification.document_id) if notification.document_id else None
    subject, body, link = compose(notification, document)
    message = MailMessage(notification_id=notification.id, to_address=user.email.strip(), subject=subject,
                          body_text=body, link_path=link, urgent=notification.urgent)
    session.add(message)
    return message


# --- repository --------------------------------------------------------------------------------

def _sendable(now: datetime):
    """Unsent, still worth trying, and claimed by no sender (or its claim has run out)."""
    return (col(MailMessage.sent_at).is_(None), MailMessage.attempts < MAX_ATTEMPTS,
            or_(col(MailMessage.claimed_until).is_(None), col(MailMessage.claimed_until) < now))


def pending(session: Session, limit: int = 50, now: datetime | None = None) -> list[MailMessage]:
    """Messages a sender may take now: urgent first, then oldest first."""
    return list(session.exec(
        select(MailMessage).where(*_sendable(now or utcnow()))
        .order_by(col(MailMessage.urgent).desc(), col(MailMessage.id)).limit(limit)
    ))


def claim(session: Session, message_id: int, until: datetime, now: datetime | None = None) -> bool:
    """Take one message for sending until ``until``; False when another sender holds it or it is sent."""
    result = session.execute(update(MailMessage).where(col(MailMessage.id) == message_id,
                                                       *_sendable(now or utcnow()))
                             .values(claimed_until=until))
    return result.rowcount == 1


def latest(session: Session, limit: int = 100) -> list[MailMessage]:
    """The newest messages, for the dev mailbox page."""
    return list(session.exec(select(MailMessage).order_by(col(MailMessage.id).desc()).limit(limit)))


# --- delivery ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Outgoing:
    id: int
    to_address: str
    subject: str
    body: str
    created_at: datetime


def to_email(item: _Outgoing, sender: str) -> EmailMessage:
    """An RFC 5322 message, UTF-8 throughout."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = item.to_address
    message["Subject"] = item.subject
    message["Date"] = format_datetime(item.created_at.astimezone(VIETNAM))
    message["Message-ID"] = make_msgid(idstring=f"qlvb-mail-{item.id}", domain=sender.rpartition("@")[2].strip("> ")
                                       or "qlvb.local")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(item.body, charset="utf-8")
    return message


def mailbox_path(mail_dir: Path, message_id: int) -> Path:
    """Where the dev mailbox keeps one message."""
    return mail_dir / f"{message_id:08d}.eml"


@contextmanager
def _dev_mailbox(mail_dir: Path) -> Iterator[Callable[[int, EmailMessage], None]]:
    mail_dir.mkdir(parents=True, exist_ok=True)

    def send(message_id: int, message: EmailMessage) -> None:
        target = mailbox_path(mail_dir, message_id)
        partial = target.with_suffix(".tmp")
        partial.write_bytes(message.as_bytes())
        os.replace(partial, target)  # a retried message overwrites its own file, never duplicates

    yield send


@contextmanager
def _smtp(settings: Settings) -> Iterator[Callable[[int, EmailMessage], None]]:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as client:
        if settings.smtp_starttls:
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            client.login(settings.smtp_user, password)

        def send(message_id: int, message: EmailMessage) -> None:
            client.send_message(message)

        yield send


def _fail(engine: Engine, ids: list[int], error: BaseException) -> None:
    text = f"{type(error).__name__}: {error}"[:500]
    with transaction(engine) as session:
        session.execute(update(MailMessage).where(col(MailMessage.id).in_(ids), col(MailMessage.sent_at).is_(None))
                        # The claim ends with the failure: the next round may try again at once.
                        .values(attempts=MailMessage.attempts + 1, last_error=text, claimed_until=None))


def deliver_pending(engine: Engine, settings: Settings, limit: int = 50) -> int:
    """Send up to ``limit`` unsent messages; return how many were delivered.

    Each row is claimed first (a conditional update), so two workers delivering at once never
    send the same message twice; a claim runs out after ``CLAIM_LEASE``, so a sender that died
    mid-batch delays its messages, never loses them. Each delivered row is marked sent in its own
    transaction right after its send; a failure counts an attempt and stores the error, and the
    row is retried next round.
    """
    with transaction(engine) as session:
        now = utcnow()
        batch = [_Outgoing(m.id, m.to_address, m.subject, render_body(m, settings.mail_base_url), m.created_at)
                 for m in pending(session, limit, now) if claim(session, m.id, now + CLAIM_LEASE, now)]
    if not batch:
        return 0
    transport = _dev_mailbox(settings.mail_dir) if settings.mail_dev_mailbox else _smtp(settings)
    delivered = 0
    failed: set[int] = set()
    try:
        with transport as send:
            for item in batch:
                try:
                    send(item.id, to_email(item, settings.smtp_from))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                        smtplib.SMTPSenderRefused, ValueError) as error:
                    _fail(engine, [item.id], error)  # this message only; the connection is fine
                    failed.add(item.id)
                    continue
                with transaction(engine) as session:
                    session.execute(update(MailMessage)
                                    .where(col(MailMessage.id) == item.id, col(MailMessage.sent_at).is_(None))
                                    .values(sent_at=utcnow(), attempts=MailMessage.attempts + 1, last_error=""))
                delivered += 1
    except (OSError, smtplib.SMTPException) as error:  # connection, TLS, login, or a broken session
        log.warning("mail delivery failed: %s", error)
        # The message in flight and those not tried yet count an attempt (sent rows are skipped by
        # the update itself); a row that already failed on its own this round is not counted twice.
        _fail(engine, [item.id for item in batch if item.id not in failed], error)
    return delivered
