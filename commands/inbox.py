"""A person's own inbox state: notifications read, saved searches."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from models.db import transaction
from models.documents import search_repo
from models.documents.search import SearchQuery
from models.notifications import notify
from models.org.tables import User
from models.text import refuse_unsafe_text


def mark_notifications_read(engine: Engine, user_id: int) -> int:
    """Mark every notification of the person read; return how many were unread."""
    with transaction(engine) as session:
        return notify.mark_all_read(session, user_id)


def save_search(engine: Engine, user: User, name: str, query: SearchQuery) -> None:
    """Keep a search under a name the person chose (replacing one of the same name)."""
    refuse_unsafe_text(multiline=False, name=name)
    with transaction(engine) as session:
        search_repo.save_search(session, user, name, query)


def delete_saved_search(engine: Engine, user: User, saved_id: int) -> None:
    """Forget one of the person's saved searches."""
    with transaction(engine) as session:
        search_repo.delete_saved_search(session, user, saved_id)
