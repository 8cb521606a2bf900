"""Published statistics (QĐ44 Điều 16.2) and the supervisor's read rule, on both backends.

A publication freezes each agency's figures: documents arriving afterwards change the live figures,
never the report. An unfinished or future period, or anyone but the supervisor, is refused in
Vietnamese and writes nothing; a correction supersedes a report once. The supervisor reads a late
document of another agency, and only a late one.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from commands import people as people_commands
from commands import publications
from models.audit import AuditEvent
from models.db import reading, transaction, utcnow
from models.documents.access import supervised_document
from models.errors import Conflict, DomainError, Forbidden, NotFound
from models.org.people import offered_roles
from models.org.repo import agency_by_code
from models.publications import repo as publication_repo
from models.publications.figures import figures_of
from models.publications.tables import StatisticsPublication
from models.registers.numbering import vietnam_date
from models.statistics import repo as statistics_repo
from models.statistics.schema import parse_period
from models.tasks.tables import Task
from models.vocab import Role
from tests.helpers import actor_of, agency_admin, rows
from tests.supervision_helpers import late_document, refresh_statistics
from web.messages import message_of

TODAY = vietnam_date(utcnow())
FINISHED = {"kind": "range", "start": (TODAY - timedelta(days=60)).isoformat(),
            "end": (TODAY - timedelta(days=1)).isoformat()}


def _office_row(figures: list[dict]) -> dict:
    return next(row for row in figures if row["label"].startswith("Văn phòng Ủy ban nhân dân tỉnh"))


def test_a_publication_freezes_the_figures_and_a_correction_supersedes_it_once(seeded):
    late_document(seeded, number=901)
    refresh_statistics(seeded)
    supervisor = actor_of(seeded, "giamsat")
    published = publications.publish(seeded, **supervisor, raw={**FINISHED, "title": "Số liệu hai tháng"})
    office = _office_row(published.figures)
    assert (office["received"], office["open"], office["overdue"]) == (1, 1, 1)
    assert published.totals["received"] == sum(row["received"] for row in published.figures) == 1
    period = parse_period("range", start=FINISHED["start"], end=FINISHED["end"], today=TODAY)
    with reading(seeded) as session:
        live = [figures_of(row) for row in statistics_repo.agency_rows(session, period, today=TODAY)]
    assert published.figures == live  # exactly what the statistics counted at that moment

    late_document(seeded, number=902, subject="V/v rà soát hồ sơ đất đai")  # arrives after publication
    refresh_statistics(seeded)
    with reading(seeded) as session:
        now_counted = [figures_of(r) for r in statistics_repo.agency_rows(session, period, today=TODAY)]
        frozen = publication_repo.get(session, published.id).figures
    assert _office_row(now_counted)["received"] == 2
    assert _office_row(frozen)["received"] == 1 and frozen == published.figures

    correction = publications.publish(seeded, **supervisor, raw={"kind": "month", "supersedes_id": str(published.id),
                                                                 "note": "Bổ sung văn bản đến muộn"})
    assert correction.supersedes_id == published.id and _office_row(correction.figures)["received"] == 2
    assert (correction.period_start, correction.period_end, correction.period_label) == (  # the same period
        published.period_start, published.period_end, published.period_label)
    with pytest.raises(Conflict) as twice:
        publications.publish(seeded, **supervisor, raw={**FINISHED, "supersedes_id": str(published.id)})
    assert twice.value.code == "publication_already_corrected" and str(correction.id) in message_of(twice.value)
    with reading(seeded) as session:
        assert [p.id for p in publication_repo.listing(session, current_only=True)] == [correction.id]
        assert publication_repo.replaced_ids(session, [published.id, correction.id]) == {published.id: correction.id}
    audited = rows(seeded, AuditEvent, AuditEvent.code == "statistics.published")
    assert [(e.subject_id, e.data["supersedes"]) for e in audited] == [(str(published.id), None),
                                                                      (str(correction.id), published.id)]


def test_unfinished_future_or_unauthorised_publications_change_nothing(seeded):
    supervisor, clerk = actor_of(seeded, "giamsat"), actor_of(seeded, "vanthu")
    refusals = [
        ({"kind": "month"}, "publication_period_unfinished"),  # this month has not ended
        ({"kind": "range", "start": (TODAY - timedelta(days=3)).isoformat()}, "publication_period_unfinished"),
        ({"kind": "year", "value": str(TODAY.year + 1)}, "statistics_period_future"),
        ({"kind": "month", "value": "2026-13"}, "statistics_period_value"),
        ({"kind": "fortnight"}, "invalid_fields"),
        ({**FINISHED, "title": "x" * 301}, "invalid_fields"),
    ]
    for raw, code in refusals:
        with pytest.raises(DomainError) as refused:
            publications.publish(seeded, **supervisor, raw=raw)
        assert refused.value.code == code, raw
        assert "{" not in message_of(refused.value)
    with pytest.raises(DomainError) as error:
        publications.publish(seeded, **supervisor, raw={"kind": "month"})
    assert "chưa qua" in message_of(error.value)
    with pytest.raises(Forbidden) as forbidden:
        publications.publish(seeded, **clerk, raw=FINISHED)
    assert forbidden.value.code == "supervisor_only"
    with pytest.raises(NotFound):
        publications.publish(seeded, **supervisor, raw={**FINISHED, "supersedes_id": "999999"})
    assert rows(seeded, StatisticsPublication) == []
    assert rows(seeded, AuditEvent, AuditEvent.code == "statistics.published") == []


def test_the_supervisor_reads_a_late_document_of_any_agency_and_nothing_else(seeded):
    late = late_document(seeded, agency_code="000.00.02.H23", unit="VP", handler="vanthu.snv", number=903)
    on_time = late_document(seeded, number=904, days_late=-5)  # its deadline is ahead
    with transaction(seeded) as session:  # and its step is not overdue either
        task = session.exec(select(Task).where(Task.document_id == on_time)).one()
        task.overdue, task.due_at = False, utcnow() + timedelta(days=5)
        session.add(task)
    supervisor, clerk, admin = actor_of(seeded, "giamsat"), actor_of(seeded, "vanthu"), actor_of(seeded, "admin")
    with reading(seeded) as session:
        read = supervised_document(session, supervisor["roles"], late, today=TODAY)
        assert (read.id, read.agency_id) == (late, agency_by_code(session, "000.00.02.H23").id)
        for roles, document_id in ((supervisor["roles"], on_time), (clerk["roles"], late), (admin["roles"], late),
                                   (supervisor["roles"], "00000000-0000-0000-0000-000000000000")):
            with pytest.raises(NotFound):
                supervised_document(session, roles, document_id, today=TODAY)


def test_only_the_province_administrator_grants_the_supervisor_role(seeded_sqlite):
    engine = seeded_sqlite
    province_admin = actor_of(engine, "admin")
    people_commands.change_person(engine, **province_admin, username="chuyenvien",
                                  account_roles=["chuyen_vien", "giam_sat"])
    assert actor_of(engine, "chuyenvien")["roles"] == {Role.OFFICER, Role.SUPERVISOR}
    assert Role.SUPERVISOR in offered_roles(None) and Role.SUPERVISOR not in offered_roles({1})

    snv_admin = agency_admin(engine)
    with pytest.raises(Forbidden) as refused:
        people_commands.create_person(engine, **snv_admin, username="giamsat.snv", full_name="Giám sát Sở",
                                      agency_code="000.00.02.H23", position="", unit_abbreviation=None,
                                      account_roles=["giam_sat"])
    assert refused.value.code == "admin_supervisor_role" and "giám sát" in message_of(refused.value)
    with pytest.raises(Forbidden):
        people_commands.change_person(engine, **snv_admin, username="vanthu.snv", account_roles=["van_thu", "giam_sat"])
    # The office's own administrator edits the supervisor's details: the role, not offered to them, stays.
    office_admin = agency_admin(engine, "000.00.01.H23", "admin.vp")
    people_commands.change_person(engine, **office_admin, username="giamsat", position="Phó Chánh Văn phòng",
                                  account_roles=["chuyen_vien"])
    assert actor_of(engine, "giamsat")["roles"] == {Role.OFFICER, Role.SUPERVISOR}
