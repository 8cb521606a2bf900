"""All SQL of published statistics. Never commits; never updates a published row."""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models.errors import NotFound
from models.org.tables import User
from models.publications.tables import StatisticsPublication


def add(session: Session, publication: StatisticsPublication) -> StatisticsPublication:
    """Insert a publication (its id is set on return)."""
    session.add(publication)
    session.flush()
    return publication


def get(session: Session, publication_id: int) -> StatisticsPublication:
    publication = session.get(StatisticsPublication, publication_id)
    if publication is None:
        raise NotFound("publication_not_found")
    return publication


def superseded_by(session: Session, publication_id: int) -> StatisticsPublication | None:
    """The correction that replaced this publication, if any."""
    return session.exec(select(StatisticsPublication)
                        .where(StatisticsPublication.supersedes_id == publication_id)).first()


def listing(session: Session, *, current_only: bool = False, limit: int = 50,
            offset: int = 0) -> list[StatisticsPublication]:
    """Publications, newest first; ``current_only`` leaves out those a correction replaced."""
    query = select(StatisticsPublication)
    if current_only:
        newer = aliased(StatisticsPublication)
        query = query.where(~exists(select(newer.id).where(newer.supersedes_id == StatisticsPublication.id)))
    query = query.order_by(col(StatisticsPublication.published_at).desc(), col(StatisticsPublication.id).desc())
    return list(session.exec(query.limit(limit).offset(offset)))


def replaced_ids(session: Session, ids: list[int]) -> dict[int, int]:
    """For each of ``ids`` replaced by a correction: the correction's id."""
    if not ids:
        return {}
    rows = session.exec(select(StatisticsPublication.supersedes_id, StatisticsPublication.id)
                        .where(col(StatisticsPublication.supersedes_id).in_(ids)))
    return {old: new for old, new in rows}


def publisher_names(session: Session, publications: list[StatisticsPublication]) -> dict[int, str]:
    """The publishers' names (for the pages of the installation, never the public one)."""
    ids = {p.published_by for p in publications}
    if not ids:
        return {}
    return {user.id: user.full_name for user in session.exec(select(User).where(col(User.id).in_(ids)))}
