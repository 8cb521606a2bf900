"""Published statistics (QĐ44 Điều 16.2): the Văn phòng UBND tỉnh publishes a finished period's
figures of every agency of the installation. One function per write, each audited.

A publication freezes the per-agency figures as they are counted at that moment
(``models.publications``); nothing recounts them later, so a report does not change when
documents of its period are registered or finished afterwards. A correction is published as a
new report for the same period that supersedes the old one; both stay in the history. A period
that has not ended yet (today included) cannot be published: its figures would still move.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from models.audit import record
from models.db import reading, transaction, utcnow
from models.errors import Conflict, DomainError, Forbidden
from models.publications import repo
from models.publications.figures import figures_of
from models.publications.schema import PublicationForm
from models.publications.tables import StatisticsPublication
from models.registers.numbering import vietnam_date
from models.statistics import repo as statistics_repo
from models.statistics.schema import Period, parse_period
from models.vocab import Role

# Who reads the province-wide figures and publishes them: the Văn phòng's supervisor, and the
# province's administrator who answers for the installation.
SUPERVISING_ROLES = frozenset({Role.SUPERVISOR, Role.SYSTEM_ADMIN})


def supervises(roles: set[Role]) -> bool:
    return bool(roles & SUPERVISING_ROLES)


def require_supervisor(roles: set[Role]) -> None:
    """Refuse (403, in Vietnamese) anyone but the supervisor and the province's administrator."""
    if not supervises(roles):
        raise Forbidden("supervisor_only")


def today() -> date:
    """The current day in Vietnam: a period is finished once its last day is before it."""
    return vietnam_date(utcnow())


def default_title(period: Period) -> str:
    return f"Số liệu tiếp nhận, xử lý và ban hành văn bản {period.label}"


def publish(engine: Engine, *, actor_id: int, roles: set[Role], raw: dict,
            on: date | None = None) -> StatisticsPublication:
    """Publish the figures of a finished period; a ``supersedes_id`` publishes a correction."""
    require_supervisor(roles)
    form = PublicationForm.parse(raw)
    day = on or today()
    if form.supersedes_id is None:
        period = parse_period(form.kind, form.value or None, start=form.start or None, end=form.end or None,
                              today=day)
        if period.end >= day:
            raise DomainError("publication_period_unfinished", period=period.label,
                              end=period.end.strftime("%d/%m/%Y"))
    try:
        with transaction(engine) as session:
            if form.supersedes_id is not None:
                # A correction covers the period of the report it replaces, whatever the form says.
                replaced = repo.get(session, form.supersedes_id)
                newer = repo.superseded_by(session, replaced.id)
                if newer is not None:
                    raise Conflict("publication_already_corrected", superseded_by=newer.id)
                period = Period(replaced.period_start, replaced.period_end, replaced.period_kind)
            rows = [figures_of(row) for row in statistics_repo.agency_rows(session, period, today=day)]
            totals = figures_of(statistics_repo.total_row(session, period, today=day, label="Toàn tỉnh"))
            publication = repo.add(session, StatisticsPublication(
                title=form.title or default_title(period), period_kind=period.kind, period_start=period.start,
                period_end=period.end, period_label=period.label, figures=rows, totals=totals,
                note=form.note, supersedes_id=form.supersedes_id, published_by=actor_id))
            record(session, actor_id, "statistics.published", "publication", publication.id,
                   title=publication.title, period=period.label, start=period.start.isoformat(),
                   end=period.end.isoformat(), agencies=len(rows), supersedes=form.supersedes_id)
            publication_id = publication.id
    except IntegrityError:
        # Another correction of the same report was published at the same moment (unique link).
        with reading(engine) as session:
            newer = repo.superseded_by(session, form.supersedes_id) if form.supersedes_id else None
        if newer is None:
            raise
        raise Conflict("publication_already_corrected", superseded_by=newer.id) from None
    with reading(engine) as session:
        publication = repo.get(session, publication_id)
        session.expunge(publication)  # a reading session ends in a rollback, which would expire it
        return publication
