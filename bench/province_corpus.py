"""A province's worth of generated work for the statistics: agencies, units, people, documents.

Extends the corpus of ``bench/inbox_search.py`` (its words in ``bench/corpus_words.py``, its bulk
``executemany`` inserts in chunks, no workflows) from one agency's inbox to a whole province:
``agencies`` agencies with units and people, incoming documents in every state (registered or not,
open, finished before or after the deadline, filed, returned), outgoing documents issued on time or
late with recipients that did or did not acknowledge, extension requests, and giao việc in every
status. Used by ``bench/statistics.py`` (1,000,000 documents) and by the statistics tests (a few
hundred, varied by the seed), which check the rollups against the direct count on it.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from bench.corpus_words import ORGANS, TOPICS, TYPES
from models.assignments.tables import WorkAssignment
from models.documents.tables import Assignment, Document
from models.org.tables import Agency, OrgUnit, User
from models.outgoing.tables import Recipient, RecipientEvent
from models.tasks.tables import Task
from models.vocab import AgencyKind, AssignmentRole, DocumentSource, DocumentStatus, Urgency

CHUNK = 20_000
INCOMING_STATUSES = [DocumentStatus.REGISTERED, DocumentStatus.DIRECTED, DocumentStatus.IN_PROGRESS,
                     DocumentStatus.DONE, DocumentStatus.DONE, DocumentStatus.DONE, DocumentStatus.FILED_FOR_REFERENCE,
                     DocumentStatus.RETURNED]
CLOSING = {DocumentStatus.DONE, DocumentStatus.FILED_FOR_REFERENCE, DocumentStatus.RETURNED}
SOURCES = [*DocumentSource, None]


@dataclass
class Province:
    """What was generated: the ids, for the tests' checks."""

    agency_ids: list[int] = field(default_factory=list)
    units: dict[int, list[int]] = field(default_factory=dict)  # agency -> unit ids
    people: dict[int, list[int]] = field(default_factory=dict)  # unit -> user ids
    clerks: dict[int, int] = field(default_factory=dict)  # agency -> văn thư user id
    counts: dict[str, int] = field(default_factory=dict)


def _defaults(model) -> dict:
    """Every column's default, so bulk rows only name what varies."""
    values = {}
    for name, info in model.model_fields.items():
        if name == "id":
            continue  # given by the database, or by the caller
        if info.default_factory is not None:
            values[name] = info.default_factory()
        elif info.default is not None and not repr(info.default).startswith("PydanticUndefined"):
            values[name] = info.default
        else:
            values[name] = None
    return values


def _next_id(connection, model) -> int:
    return (connection.execute(select(func.max(model.id))).scalar() or 0) + 1


def _catch_up_sequences(engine: Engine, *models) -> None:
    """On PostgreSQL, move the id sequences past the ids given here, so later inserts do not collide."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for model in models:
            table = model.__tablename__
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"))


def seed_organisation(engine: Engine, agencies: int, *, units_per_agency: int = 4, people_per_unit: int = 3,
                      prefix: str = "tk") -> Province:
    """Agencies with units, people in each unit and a văn thư each."""
    province = Province()
    with engine.begin() as connection:
        agency_id, unit_id, user_id = (_next_id(connection, model) for model in (Agency, OrgUnit, User))
        agency_rows, unit_rows, user_rows = [], [], []
        user_defaults = _defaults(User)
        for number in range(agencies):
            province.agency_ids.append(agency_id)
            agency_rows.append(dict(id=agency_id, parent_id=None, name=f"Sở thống kê {prefix} {number + 1:03d}",
                                    abbreviation=f"S{number}", kind=AgencyKind.DEPARTMENT,
                                    code=f"{prefix[:3]}.{number:03d}.{agency_id % 100:02d}.H23"[:13],
                                    qd20_code=None, place_name="Hà Nam", hosted=True, valid_from=None,
                                    valid_to=None, focal_user_id=None))
            province.units[agency_id] = []
            for unit_number in range(units_per_agency):
                unit_rows.append(dict(id=unit_id, agency_id=agency_id, parent_id=None,
                                      name=f"Phòng {unit_number + 1} ({number + 1})", abbreviation=f"P{unit_number}",
                                      valid_from=None, valid_to=None))
                province.units[agency_id].append(unit_id)
                province.people[unit_id] = []
                for _ in range(people_per_unit):
                    user_rows.append({**user_defaults, "id": user_id, "username": f"{prefix}{user_id}",
                                      "full_name": f"Cán bộ {user_id}", "agency_id": agency_id, "unit_id": unit_id,
                                      "password_hash": "!"})
                    province.people[unit_id].append(user_id)
                    user_id += 1
                unit_id += 1
            user_rows.append({**user_defaults, "id": user_id, "username": f"{prefix}{user_id}",
                              "full_name": f"Văn thư {user_id}", "agency_id": agency_id, "unit_id": None,
                              "password_hash": "!"})
            province.clerks[agency_id] = user_id
            user_id += 1
            agency_id += 1
        for model, rows in ((Agency, agency_rows), (OrgUnit, unit_rows), (User, user_rows)):
            connection.execute(model.__table__.insert(), rows)
    _catch_up_sequences(engine, Agency, OrgUnit, User)
    return province


def insert_chunk(engine: Engine, rows: dict, defaults: dict, counts: dict[str, int]) -> None:
    """Insert one chunk of generated rows (model -> rows naming what varies) in one transaction,
    each row completed with its model's defaults; add to ``counts`` per table."""
    with engine.begin() as connection:
        for model, batch in rows.items():
            if batch:
                connection.execute(model.__table__.insert(), [{**defaults[model], **row} for row in batch])
                counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(batch)


def seed_work(engine: Engine, province: Province, documents: int, rng: random.Random, *,
              start: datetime, end: datetime) -> dict[str, int]:
    """Bulk-insert ``documents`` documents (70 % incoming) and the work around them, dated in [start, end)."""
    span = (end - start).total_seconds()
    counts: dict[str, int] = {}
    defaults = {model: _defaults(model) for model in (Document, WorkAssignment, Assignment, Task, Recipient,
                                                       RecipientEvent)}  # in foreign-key order
    with engine.begin() as connection:
        recipient_id = _next_id(connection, Recipient)
        assignment_id = _next_id(connection, WorkAssignment)
    for offset in range(0, documents, CHUNK):
        rows: dict = {model: [] for model in defaults}
        for number in range(offset, min(documents, offset + CHUNK)):
            agency = rng.choice(province.agency_ids)
            at = start + timedelta(seconds=rng.random() * span)
            if rng.random() < 0.7:
                _incoming(rows, defaults, province, agency, at, end, rng)
            else:
                recipient_id = _outgoing(rows, defaults, province, agency, at, rng, recipient_id)
            if number % 20 == 0:
                _work_assignment(rows, defaults, province, agency, at, end, rng, assignment_id)
                assignment_id += 1
        insert_chunk(engine, rows, defaults, counts)
    _catch_up_sequences(engine, Recipient, WorkAssignment)
    return counts


def _person(province: Province, agency: int, rng: random.Random) -> tuple[int, int]:
    unit = rng.choice(province.units[agency])
    return unit, rng.choice(province.people[unit])


def _incoming(rows, defaults, province, agency, at, end, rng) -> None:
    doc_id = str(uuid.uuid4())
    registered = rng.random() > 0.03
    status = rng.choice(INCOMING_STATUSES) if registered else DocumentStatus.NEW
    closed = None
    if status in CLOSING:
        closed = min(at + timedelta(hours=rng.uniform(1, 40 * 24)), end - timedelta(seconds=1))
    due = (at + timedelta(days=rng.randint(3, 20))).date() if rng.random() < 0.8 else None
    type_name = rng.choices(TYPES, [weight for *_, weight in TYPES])[0][0]
    rows[Document].append(dict(
        id=doc_id, direction="incoming", agency_id=agency, status=status, source=rng.choice(SOURCES),
        urgency=rng.choice(list(Urgency)), code_number=str(rng.randint(1, 999)), code_notation="UBND-VP",
        type_name=type_name, organ_name=rng.choice(ORGANS), subject=f"V/v {rng.choice(TOPICS)}",
        due_date=due, arrival_number=rng.randint(1, 10**6) if registered else None,
        arrival_date=at if registered else None, workflow_id=f"incoming-{doc_id}", created_by=province.clerks[agency],
        created_at=at, updated_at=closed or at, closed_at=closed))
    if not registered:
        return
    draw = rng.random()
    if draw < 0.7:
        unit, person = _person(province, agency, rng)
        rows[Assignment].append(dict(document_id=doc_id, role=AssignmentRole.LEAD, unit_id=unit, user_id=None,
                                     assigned_by=province.clerks[agency], assigned_at=at))
        if draw < 0.5:
            rows[Assignment].append(dict(document_id=doc_id, role=AssignmentRole.LEAD, unit_id=unit, user_id=person,
                                         assigned_by=province.clerks[agency], assigned_at=at))
        if draw < 0.1:  # a lead unit that was withdrawn: it no longer counts
            other, _ = _person(province, agency, rng)
            rows[Assignment].append(dict(document_id=doc_id, role=AssignmentRole.LEAD, unit_id=other, user_id=None,
                                         assigned_by=province.clerks[agency], assigned_at=at, withdrawn_at=at))
        if draw < 0.2:
            other, _ = _person(province, agency, rng)
            rows[Assignment].append(dict(document_id=doc_id, role=AssignmentRole.COOPERATE, unit_id=other,
                                         user_id=None, assigned_by=province.clerks[agency], assigned_at=at))
    if rng.random() < 0.06:
        asked = min(at + timedelta(hours=rng.uniform(1, 10 * 24)), end - timedelta(seconds=1))
        rows[Task].append(dict(workflow_id=f"incoming-{doc_id}", task_key="extension:9", document_id=doc_id,
                               step="extension", agency_id=agency, candidate_role="lanh_dao_co_quan",
                               actions=["gia_han"], created_at=asked, state_changed_at=asked))


def _outgoing(rows, defaults, province, agency, at, rng, recipient_id) -> int:
    doc_id = str(uuid.uuid4())
    unit, person = _person(province, agency, rng)
    issued = rng.random() < 0.85
    type_name = rng.choices(TYPES, [weight for *_, weight in TYPES])[0][0]
    rows[Document].append(dict(
        id=doc_id, direction="outgoing", agency_id=agency,
        status=DocumentStatus.ISSUED if issued else DocumentStatus.DRAFT, type_name=type_name,
        subject=f"V/v {rng.choice(TOPICS)}", drafting_unit_id=unit if rng.random() < 0.9 else None,
        created_by=person, issued_at=at if issued else None, issued_late=issued and rng.random() < 0.1,
        workflow_id=f"outgoing-{doc_id}", created_at=at - timedelta(days=1), updated_at=at))
    if not issued:
        return recipient_id
    for position in range(rng.randint(0, 3)):
        kind = rng.choice(["hosted", "external", "unit"])
        transport = rng.choice(["delivered", "delivered", "pending", "not_sent"])
        rows[Recipient].append(dict(id=recipient_id, document_id=doc_id, position=position + 1, kind=kind,
                                    organ_name=rng.choice(ORGANS), transport_status=transport))
        if rng.random() < 0.6:
            rows[RecipientEvent].append(dict(recipient_id=recipient_id, code="01", at=at + timedelta(hours=1)))
        if rng.random() < 0.3:
            rows[RecipientEvent].append(dict(recipient_id=recipient_id, code="03", at=at + timedelta(hours=2)))
        recipient_id += 1
    return recipient_id


def _work_assignment(rows, defaults, province, agency, at, end, rng, assignment_id) -> None:
    unit, person = _person(province, agency, rng)
    status = rng.choice(["naming", "in_progress", "submitted", "done", "done", "cancelled"])
    due = datetime.combine((at + timedelta(days=rng.randint(2, 25))).date(), datetime.min.time(), UTC) \
        + timedelta(hours=10)
    closed = min(at + timedelta(hours=rng.uniform(1, 30 * 24)), end - timedelta(seconds=1))
    rows[WorkAssignment].append(dict(
        id=assignment_id, workflow_id=f"giaoviec-{uuid.uuid4()}", agency_id=agency, assigner_id=province.clerks[agency],
        assigner_role="lanh_dao_co_quan", title=f"Giao việc: {rng.choice(TOPICS)}",
        lead_user_id=None if status == "naming" else person, lead_unit_id=unit if rng.random() < 0.9 else None,
        status=status, due_at=due, created_at=at,
        finished_at=closed if status == "done" else None, on_time=(closed <= due) if status == "done" else None,
        cancelled_at=closed if status == "cancelled" else None))
    if rng.random() < 0.1:
        asked = min(at + timedelta(hours=5), end - timedelta(seconds=1))
        rows[Task].append(dict(workflow_id=f"giaoviec-{assignment_id}", task_key="extension:9",
                               work_assignment_id=assignment_id, step="extension", agency_id=agency,
                               candidate_role="lanh_dao_co_quan", actions=["gia_han"],
                               created_at=asked, state_changed_at=asked))


def today_of(end: datetime) -> date:
    return end.date()
