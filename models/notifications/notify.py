"""In-app notifications: new work, urgent documents, overdue escalations.

Rows are written in the transaction of the event they announce; the web page polls the unread
count. E-mail delivery reads the same rows (a later step), so nothing is announced twice; a
notification about an urgent document is also queued for a browser push (``models/push``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from models.db import utcnow
from models.notifications.mail import queue_mail
from models.notifications.tables import Notification
from models.org.tables import User, UserRole
from models.push.repo import queue_push
from models.vocab import Role


def people_with_role(session: Session, agency_id: int, role: Role, unit_id: int | None = None) -> list[int]:
    """Ids of active people holding ``role`` in an agency (and unit, when given)."""
    query = (select(User.id).join(UserRole, UserRole.user_id == User.id)
             .where(User.agency_id == agency_id, UserRole.role == role, User.disabled == False))  # noqa: E712
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    return list(session.exec(query))


def administrators(session: Session) -> list[int]:
    """Ids of the active administrators of every agency of the installation."""
    return list(session.exec(select(User.id).join(UserRole, UserRole.user_id == User.id)
                             .where(UserRole.role == Role.ADMIN, User.disabled == False)  # noqa: E712
                             .distinct()))


def already_notified(session: Session, code: str, **data: Any) -> bool:
    """Whether notifications ``code`` with these data were already written (an idempotency key)."""
    rows = session.exec(select(Notification.data).where(Notification.code == code))
    return any(all(row.get(name) == value for name, value in data.items()) for row in rows)


def notify(session: Session, user_ids: Iterable[int], document_id: str | None, code: str,
           urgent: bool = False, **data: Any) -> int:
    """Add one notification per distinct user; the caller commits."""
    count = 0
    for user_id in sorted(set(user_ids)):
        notification = Notification(user_id=user_id, document_id=document_id, code=code, urgent=urgent, data=data)
        session.add(notification)
        queue_mail(session, notification)  # its e-mail copy, in the same transaction
        queue_push(session, notification)  # and, about an urgent document, a push to each device turned on
        count += 1
    return count


def unread_count(session: Session, user_id: int) -> int:
    """How many notifications the user has not opened."""
    return session.exec(select(func.count()).select_from(Notification)
                        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))).one()


def latest(session: Session, user_id: int, limit: int = 30) -> list[Notification]:
    """The user's newest notifications, unread first."""
    return list(session.exec(
        select(Notification).where(Notification.user_id == user_id)
        .order_by(col(Notification.read_at).is_not(None), col(Notification.created_at).desc())
        .limit(limit)
    ))


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every unread notification of the user as read."""
    result = session.execute(update(Notification)
                             .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
                             .values(read_at=utcnow()))
    return result.rowcount
