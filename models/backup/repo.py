"""The live database's side of a backup: is the target empty, which server is it."""

from __future__ import annotations

from sqlalchemy import func, inspect, text
from sqlmodel import Session, select

from models.documents.tables import Document
from models.notifications.notify import administrators, already_notified, notify
from models.org.tables import User


def installation_rows(session: Session) -> tuple[int, int]:
    """(documents, users) in the database; a database without the tables has none."""
    tables = set(inspect(session.connection()).get_table_names())
    documents = session.exec(select(func.count()).select_from(Document)).one() if "document" in tables else 0
    users = session.exec(select(func.count()).select_from(User)).one() if "user" in tables else 0
    return documents, users


def server_version_num(session: Session) -> int:
    """PostgreSQL's ``server_version_num`` (150020 for 15.20)."""
    return int(session.execute(text("SHOW server_version_num")).scalar_one())


def report_failure(session: Session, name: str, reason: str) -> int:
    """Tell every administrator that the backup ``name`` failed, once per backup; return how many.

    Each notification is queued for e-mail too (``notify``), for the administrators with an address.
    """
    if already_notified(session, "backup_failed", backup=name):
        return 0
    return notify(session, administrators(session), None, "backup_failed", urgent=True, backup=name,
                  detail=reason[:1000])
