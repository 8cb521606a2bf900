"""The load benchmark's corpus: a province-year of work, bulk-inserted into a migrated database.

1. ``qlvb seed`` (in a child process, with the run's ``DATABASE_URL``): the migrations, the demo
   profile, the process definitions and the province's document types, as an installation has.
2. ``bench/province_corpus.py``: ``AGENCIES`` agencies of 4 units × 4 people and a văn thư each
   (5,100 people), then the documents of ``seed_work``'s generators (70 % incoming in every state
   with their lead and cooperating units, 30 % outgoing, issued ones with recipients and their
   answers, giao việc), dated over the year before today. This module adds what a person's pages
   read: roles (per agency a văn thư, an agency leader, a unit leader per unit, chuyên viên), one
   password for everyone (hashed once, the hash reused), the registers with a gapless số đến/số đi
   per agency and year and their entries, each document's search index row (``index_values``), and
   the steps of the inbox: the leader's ``direct`` (open for the last month's registered
   documents), the unit's ``assign`` (open for the last month's directed ones) and the handler's
   ``handle`` (claimed while the document is in progress).
3. PostgreSQL: ``ANALYZE``. SQLite: nothing: the product never runs ``ANALYZE`` and its plans are
   checked without ``sqlite_stat1`` (``tests/web/test_page_query_plans.py``).

A corpus is reused by ``--reuse``: ``corpus_users`` reads its people back.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from bench.common import ROOT
from bench.corpus_words import TYPES
from bench.province_corpus import (
    CHUNK,
    Province,
    _catch_up_sequences,
    _defaults,
    _incoming,
    _outgoing,
    _work_assignment,
    insert_chunk,
    seed_organisation,
)
from models.assignments.tables import WorkAssignment
from models.documents.search import DocumentSearch, index_values
from models.documents.tables import Assignment, Document
from models.org.passwords import hash_password
from models.org.tables import User, UserRole
from models.outgoing.tables import Recipient, RecipientEvent
from models.registers.repo import INCOMING_REGISTER_NAME, OUTGOING_REGISTER_NAME
from models.registers.tables import Register, RegisterCounter, RegisterEntry
from models.tasks.tables import Task
from models.vocab import AssignmentRole, DocumentStatus, RegisterKind, Role, TaskStatus

AGENCIES = 300
PREFIX = "tai"  # usernames tai<id>: never a demo account's name
OPEN_DAYS = 30  # documents of the last month may still wait for a step
NOTATIONS = {name: notation for name, notation, _ in TYPES}


def prepare(env: dict[str, str]) -> None:
    """Migrate and seed the installation's own data through the product's command."""
    done = subprocess.run([sys.executable, "-m", "cli", "seed"], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode:
        raise RuntimeError(f"qlvb seed failed: {done.stderr.strip() or done.stdout.strip()}")


def seed(engine: Engine, documents: int, password: str, rng: random.Random, *,
         agencies: int = AGENCIES, now: datetime | None = None) -> dict[str, int]:
    """The province's people and ``documents`` documents of the year before ``now``; the row counts."""
    end = (now or datetime.now(UTC)) - timedelta(minutes=5)
    start = end - timedelta(days=365)
    province = seed_organisation(engine, agencies, units_per_agency=4, people_per_unit=4, prefix=PREFIX)
    _roles_and_password(engine, province, hash_password(password))
    registers = _registers(engine, province)
    counts = _work(engine, province, registers, documents, rng, start, end)
    mark_recipients_reported(engine, end - timedelta(days=1))
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    return counts


def _roles_and_password(engine: Engine, province: Province, password_hash: str) -> None:
    rows = []
    for agency in province.agency_ids:
        rows.append(dict(user_id=province.clerks[agency], role=Role.CLERK))
        for number, unit in enumerate(province.units[agency]):
            people = province.people[unit]
            rows.append(dict(user_id=people[0], role=Role.AGENCY_LEADER if number == 0 else Role.OFFICER))
            rows.append(dict(user_id=people[1], role=Role.UNIT_LEADER))
            rows += [dict(user_id=person, role=Role.OFFICER) for person in people[2:]]
    with engine.begin() as connection:
        connection.execute(UserRole.__table__.insert(), rows)
        connection.execute(User.__table__.update().where(User.username.like(f"{PREFIX}%"))
                           .values(password_hash=password_hash, must_change_password=False,
                                   password_changed_at=datetime.now(UTC)))


def _registers(engine: Engine, province: Province) -> dict[tuple[int, str], int]:
    """Each agency's incoming and outgoing register: (agency, direction) → register id."""
    with engine.begin() as connection:
        first = (connection.execute(select(func.max(Register.id))).scalar() or 0) + 1
        rows, ids = [], {}
        for agency in province.agency_ids:
            for direction, kind, name in (("incoming", RegisterKind.INCOMING, INCOMING_REGISTER_NAME),
                                          ("outgoing", RegisterKind.OUTGOING, OUTGOING_REGISTER_NAME)):
                ids[(agency, direction)] = first + len(rows)
                rows.append(dict(id=first + len(rows), agency_id=agency, kind=kind, name=name, doc_types=[],
                                 active=True, created_at=datetime.now(UTC)))
        connection.execute(Register.__table__.insert(), rows)
    _catch_up_sequences(engine, Register)
    return ids


def _work(engine: Engine, province: Province, registers: dict, documents: int, rng: random.Random,
          start: datetime, end: datetime) -> dict[str, int]:
    """``seed_work``'s loop with the registers, index rows and inbox steps added per document."""
    span = (end - start).total_seconds()
    models = (Document, WorkAssignment, Assignment, Task, Recipient, RecipientEvent, DocumentSearch, RegisterEntry)
    defaults = {model: _defaults(model) for model in models}  # in foreign-key order
    counters: dict[tuple[int, int], int] = defaultdict(int)  # (register, year) -> last number
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        recipient_id = (connection.execute(select(func.max(Recipient.id))).scalar() or 0) + 1
        assignment_id = (connection.execute(select(func.max(WorkAssignment.id))).scalar() or 0) + 1
    for offset in range(0, documents, CHUNK):
        rows: dict = {model: [] for model in models}
        # Each chunk is a slice of the year, sorted, so the numbers of every register and year go up
        # with the arrival time, as allocated.
        size = min(documents, offset + CHUNK) - offset
        begins, width = start + timedelta(seconds=span * offset / documents), span * size / documents
        plan = sorted((begins + timedelta(seconds=rng.random() * width), rng.choice(province.agency_ids))
                      for _ in range(size))
        for number, (at, agency) in enumerate(plan, start=offset):
            assigned = len(rows[Assignment])
            if rng.random() < 0.7:
                _incoming(rows, defaults, province, agency, at, end, rng)
            else:
                recipient_id = _outgoing(rows, defaults, province, agency, at, rng, recipient_id)
            document = rows[Document][-1]
            if document["status"] == DocumentStatus.NEW:
                # A document still NEW minutes after its upload is a lost start that the reconciler
                # starts again (``documents_not_started``); in a running installation there are none.
                document.update(status=DocumentStatus.REGISTERED, arrival_number=0, arrival_date=at)
            _numbered(rows, document, registers, counters, at)
            _steps(rows, document, rows[Assignment][assigned:], province, at, end)
            rows[DocumentSearch].append(dict(document_id=document["id"], updated_at=document["updated_at"],
                                             **index_values(SimpleNamespace(**{**defaults[Document], **document}),
                                                            "")))
            if number % 20 == 0:
                _work_assignment(rows, defaults, province, agency, at, end, rng, assignment_id)
                _work_step(rows, rows[WorkAssignment][-1], at)
                assignment_id += 1
        insert_chunk(engine, rows, defaults, counts)
    with engine.begin() as connection:
        connection.execute(RegisterCounter.__table__.insert(),
                           [dict(register_id=register, year=year, last_number=last)
                            for (register, year), last in counters.items()])
    _catch_up_sequences(engine, Recipient, WorkAssignment, Task, DocumentSearch, RegisterEntry)
    return counts


def _numbered(rows, document: dict, registers: dict, counters: dict, at: datetime) -> None:
    """A registered incoming or an issued outgoing document takes the next number of its register."""
    notation = NOTATIONS.get(document["type_name"], "UBND-VP")
    if document["direction"] == "incoming":
        document["code_notation"] = notation  # the sender's ký hiệu, searched as "125/QĐ"
        if document["arrival_number"] is None:
            return
    elif document["status"] != DocumentStatus.ISSUED:
        return
    register = registers[(document["agency_id"], document["direction"])]
    counters[(register, at.year)] += 1
    number = counters[(register, at.year)]
    if document["direction"] == "incoming":
        document["arrival_number"] = number
    else:
        document["code_number"], document["code_notation"] = str(number), notation
    rows[RegisterEntry].append(dict(register_id=register, year=at.year, number=number,
                                    workflow_id=document["workflow_id"], document_id=document["id"],
                                    allocated_at=at))


def _steps(rows, document: dict, assignments: list[dict], province: Province, at: datetime,
           end: datetime) -> None:
    """The inbox steps of a registered incoming document, open while its state says so."""
    if document["direction"] != "incoming" or document["arrival_number"] is None:
        return
    agency, status, recent = document["agency_id"], document["status"], at > end - timedelta(days=OPEN_DAYS)

    def step(key: str, name: str, role: Role, actions: list[str], *, unit=None, assignee=None, still=False,
             claimed=False, days=2) -> None:
        due = at + timedelta(days=days)
        state = (TaskStatus.CLAIMED if claimed else TaskStatus.OPEN) if still else TaskStatus.DONE
        rows[Task].append(dict(
            workflow_id=document["workflow_id"], task_key=key, document_id=document["id"], step=name,
            agency_id=agency, unit_id=unit, candidate_role=role, assignee_id=assignee, status=state,
            actions=actions, due_at=due, overdue=still and due < end, created_at=at, state_changed_at=at,
            closed_at=None if still else min(at + timedelta(hours=3), end), outcome="" if still else actions[0]))

    step("direct:1", "direct", Role.AGENCY_LEADER, ["giao_xu_ly", "luu_tham_khao"],
         still=status == DocumentStatus.REGISTERED and recent)
    leads = [row for row in assignments if row["role"] == AssignmentRole.LEAD and row.get("withdrawn_at") is None]
    unit = next((row["unit_id"] for row in leads if row["user_id"] is None), None)
    person = next((row["user_id"] for row in leads if row["user_id"] is not None), None)
    if unit is not None:
        step("assign:2", "assign", Role.UNIT_LEADER, ["phan_cong"], unit=unit, days=3,
             still=person is None and status == DocumentStatus.DIRECTED and recent)
    if person is not None:
        step("handle:3", "handle", Role.OFFICER, ["hoan_thanh", "xin_gia_han"], unit=unit, assignee=person,
             days=10, still=status in (DocumentStatus.DIRECTED, DocumentStatus.IN_PROGRESS), claimed=True)


WORK_STEPS = {"naming": ("name_lead", Role.UNIT_LEADER, ["cu_nguoi_chu_tri"]),
              "in_progress": ("carry_out", Role.OFFICER, ["bao_cao_ket_qua", "xin_gia_han"]),
              "submitted": ("assess", Role.AGENCY_LEADER, ["nghiem_thu_ket_qua", "tra_lai_ket_qua"])}


def _work_step(rows, assignment: dict, at: datetime) -> None:
    """The open step of a giao việc still running (without one, the reconciler would take it for a
    lost start, ``assignments.repo.lost_starts``, and start its workflow again)."""
    if assignment["status"] not in WORK_STEPS:
        return
    step, role, actions = WORK_STEPS[assignment["status"]]
    person = assignment["lead_user_id"] if role == Role.OFFICER else None
    rows[Task].append(dict(
        workflow_id=assignment["workflow_id"], task_key=f"{step}:1", work_assignment_id=assignment["id"], step=step,
        agency_id=assignment["agency_id"], unit_id=assignment["lead_unit_id"] if role != Role.AGENCY_LEADER else None,
        candidate_role=role, assignee_id=person, status=TaskStatus.CLAIMED if person else TaskStatus.OPEN,
        actions=actions, due_at=assignment["due_at"], created_at=at, state_changed_at=at))


def mark_recipients_reported(engine: Engine, issued_before: datetime) -> None:
    """The recipients of documents issued before ``issued_before`` were told about long ago: the
    alert for a recipient that reported nothing goes once, a day after issue
    (``outgoing.repo.alert_not_received``), so a running installation has only the last day's to
    send; the alert time is the issue time here."""
    with engine.begin() as connection:
        connection.execute(text(
            "UPDATE recipient SET not_received_alert_at = (SELECT d.issued_at FROM document d "
            "WHERE d.id = recipient.document_id) WHERE not_received_alert_at IS NULL AND document_id IN "
            "(SELECT id FROM document WHERE status = :issued AND issued_at < :cutoff)"),
            {"issued": DocumentStatus.ISSUED.value, "cutoff": issued_before})


def corpus_users(engine: Engine) -> list[dict]:
    """The seeded people with their agency, unit and roles, by agency then id."""
    with engine.connect() as connection:
        found = connection.execute(text(
            "SELECT u.id, u.username, u.agency_id, u.unit_id, r.role FROM \"user\" u "
            "JOIN userrole r ON r.user_id = u.id WHERE u.username LIKE :prefix ORDER BY u.agency_id, u.id"),
            {"prefix": f"{PREFIX}%"}).all()
    return [dict(id=row[0], username=row[1], agency_id=row[2], unit_id=row[3], role=row[4]) for row in found]


def document_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Document)).scalar() or 0


def sqlite_without_statistics(engine: Engine) -> None:
    """Drop ``sqlite_stat1`` if an ``ANALYZE`` left it: the product's plans are made without it."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        if connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            connection.exec_driver_sql("DROP TABLE sqlite_stat1")


def environment(database_url: str, var_dir: str, password: str) -> dict[str, str]:
    """The environment of the product's processes for this run."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("QLVB_")}
    env.update(DATABASE_URL=database_url, QLVB_VAR_DIR=var_dir, QLVB_DEMO_PASSWORD=password)
    return env
