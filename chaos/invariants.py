"""What must hold after a chaos run, read from both databases and from Temporal.

Each check returns ``Check`` rows (name, passed, figure, details). ``settled`` is polled after
the last kill until it holds or the settle time passes, so a check fails only for a state that
did not heal on its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import select
from temporalio.client import Client

from chaos.ledger import Ledger
from models.db import reading
from models.documents.tables import Document
from models.exchange.tables import HubOutbox
from models.outgoing.tables import Recipient, RecipientEvent
from models.registers.tables import RegisterCounter, RegisterEntry
from models.signing.tables import SignatureCheck
from models.tasks.tables import Task

DOCUMENT_WORKFLOWS = {"IncomingDocument", "OutgoingDocument", "RecallDocument"}
LIVE_TASK = ("open", "claimed")
MINISTRY_CODE = "000.00.00.G09"


@dataclass
class Check:
    name: str
    passed: bool
    figure: str
    details: list[str] = field(default_factory=list)


@dataclass
class Temporal:
    """What Temporal says about one namespace: every execution's type and status."""

    executions: dict[str, tuple[str, str]]  # workflow id -> (type, status name)

    def status(self, workflow_id: str) -> str | None:
        found = self.executions.get(workflow_id)
        return found[1] if found else None


async def temporal_view(client: Client) -> Temporal:
    executions = {}
    async for execution in client.list_workflows(""):
        status = execution.status.name if execution.status else "UNKNOWN"
        # The newest run of an id wins (a started-again workflow shows its last run).
        if execution.id not in executions or status == "RUNNING":
            executions[execution.id] = (execution.workflow_type, status)
    return Temporal(executions)


def _all(engine, model, *where):
    """Rows as detached objects (the read-only session rolls back at its end)."""
    with reading(engine) as session:
        found = list(session.exec(select(model).where(*where)))
        session.expunge_all()
        return found


# --- exactly once -------------------------------------------------------------------------

def acknowledged_exactly_once(engine_a, ledger: Ledger, idempotency: bool) -> list[Check]:
    """Every acknowledged create exists once; retries of unacknowledged ones are counted apart."""
    def by_key(*where) -> Counter:
        """Documents per key (the last word of the subject); a delivered copy has its own direction or source."""
        with reading(engine_a) as session:
            return Counter(subject.rsplit(" ", 1)[-1] for subject in session.exec(
                select(Document.subject).where(Document.subject.contains("chaos "), *where)))

    uploaded = by_key(Document.direction == "incoming", Document.source == "upload")
    drafted = by_key(Document.direction == "outgoing")
    checks = []
    for label, records, subjects in (("uploads", ledger.uploads, uploaded), ("drafts", ledger.drafts, drafted)):
        lost, doubled, retry_dupes, unacked_stored = [], [], [], 0
        for record in records:
            count = subjects.get(record.key, 0)
            if record.acked and count == 0:
                lost.append(record.key)
            elif count > 1 and (record.unacked_attempts == 0 or idempotency):
                doubled.append(f"{record.key}: {count} documents ({record.attempts} attempts)")
            elif count > 1:
                retry_dupes.append(f"{record.key}: {count} documents after {record.unacked_attempts} unanswered")
            if not record.acked and count:
                unacked_stored += 1
        acked = sum(r.acked for r in records)
        checks.append(Check(f"acknowledged {label} exist exactly once", not lost and not doubled,
                            f"{acked} acked, {len(lost)} lost, {len(doubled)} doubled",
                            [f"lost {k}" for k in lost] + [f"doubled {d}" for d in doubled]))
        checks.append(Check(f"{label}: duplicates from retried unanswered requests",
                            idempotency is False or not retry_dupes,
                            f"{len(retry_dupes)} (unacked but stored: {unacked_stored})"
                            + ("" if idempotency else " [Idempotency-Key not supported yet: counted only]"),
                            retry_dupes))
    return checks


def decisions_applied(engines: dict, ledger: Ledger) -> Check:
    """A decision answered 200 is applied: its task is done with that outcome."""
    wrong = []
    acked = [d for d in ledger.decisions if d.acked]
    for name, engine in engines.items():
        ids = [d.task_id for d in acked if d.installation == name]
        tasks = {t.id: t for t in _all(engine, Task, Task.id.in_(ids))} if ids else {}
        for decision in (d for d in acked if d.installation == name):
            task = tasks.get(decision.task_id)
            if task is None or task.status != "done" or task.outcome != decision.action:
                wrong.append(f"{name} task {decision.task_id} {decision.action}: "
                             f"{task.status if task else 'missing'} / {task.outcome if task else ''}")
    return Check("acknowledged decisions applied", not wrong, f"{len(acked)} acked, {len(wrong)} not applied", wrong)


# --- registers ----------------------------------------------------------------------------

def registers_gapless(engines: dict) -> tuple[Check, int]:
    problems, books, entries_total = [], 0, 0
    for name, engine in engines.items():
        numbers = defaultdict(list)
        for entry in _all(engine, RegisterEntry):
            numbers[(entry.register_id, entry.year)].append(entry.number)
        counters = {(c.register_id, c.year): c.last_number for c in _all(engine, RegisterCounter)}
        for key in sorted(set(numbers) | set(counters)):
            found = sorted(numbers.get(key, []))
            books += 1
            entries_total += len(found)
            if found != list(range(1, len(found) + 1)):
                dupes = [n for n, c in Counter(found).items() if c > 1]
                gaps = sorted(set(range(1, (max(found) if found else 0) + 1)) - set(found))
                problems.append(f"{name} register {key}: duplicates {dupes[:10]} gaps {gaps[:10]}")
            if counters.get(key, 0) != len(found):
                problems.append(f"{name} register {key}: counter {counters.get(key, 0)} but {len(found)} entries")
    return Check("every register is 1..N", not problems, f"{books} books, {entries_total} numbers", problems), \
        entries_total


# --- stuck and failed -----------------------------------------------------------------------

def stuck(engines: dict, views: dict[str, Temporal], ledger: Ledger) -> Check:
    """Every workflow is at a human step or ended; every task agrees with its workflow."""
    problems = []
    for name, engine in engines.items():
        view = views[name]
        tasks = _all(engine, Task)
        live = defaultdict(list)
        for task in tasks:
            if task.status in LIVE_TASK:
                live[task.workflow_id].append(task)
            if task.status == "completing":
                problems.append(f"{name} task {task.id} ({task.step}) still completing")
        for workflow_id, (kind, status) in view.executions.items():
            if status != "RUNNING":
                continue
            if kind in DOCUMENT_WORKFLOWS and not live.get(workflow_id):
                problems.append(f"{name} {workflow_id} ({kind}) running with no open step")
            if kind == "HubDelivery":
                problems.append(f"{name} {workflow_id} (HubDelivery) still running")
        for workflow_id, open_tasks in live.items():
            status = view.status(workflow_id)
            if status != "RUNNING":
                problems.append(f"{name} {workflow_id}: open step {open_tasks[0].step} but workflow {status}")
        for document in _all(engine, Document, Document.workflow_id.is_not(None), Document.workflow_id != ""):
            if view.status(document.workflow_id) is None:
                problems.append(f"{name} document {document.id} ({document.status}): workflow "
                                f"{document.workflow_id} never started")
        for document in _all(engine, Document, Document.direction == "incoming"):
            if not document.workflow_id:
                problems.append(f"{name} incoming document {document.id} without a workflow")
    # The expected human step of each acknowledged upload.
    kinds = {u.document_id: u.kind for u in ledger.uploads if u.acked}
    steps = defaultdict(set)
    for task in _all(engines["a"], Task):
        if task.status in LIVE_TASK:
            steps[task.document_id].add(task.step)
    for document_id, kind in kinds.items():
        if kind == "invalid" and "accept" not in steps[document_id]:
            problems.append(f"invalid upload {document_id} is not waiting for the văn thư (steps {steps[document_id]})")
        if kind != "invalid" and "accept" in steps[document_id]:
            problems.append(f"{kind} upload {document_id} waits in the acceptance step")
    return Check("no task stuck", not problems, f"{len(problems)} stuck", problems)


async def failed(clients: dict[str, Client]) -> tuple[Check, Counter]:
    """``ExecutionStatus="Failed"`` (and timed out or terminated) in both namespaces, by workflow type."""
    problems, counts = [], Counter()
    for name, client in clients.items():
        for status in ("Failed", "TimedOut", "Terminated"):
            async for execution in client.list_workflows(f'ExecutionStatus="{status}"'):
                counts[f"{name}/{execution.workflow_type}/{status}"] += 1
                problems.append(f"{name} {execution.id} ({execution.workflow_type}) {status}")
    figure = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "0"
    return Check("no workflow failed", not problems, figure, problems), counts


# --- hub and verdicts -----------------------------------------------------------------------

def delivered_once(engine_a, engine_b, ledger: Ledger) -> tuple[Check, dict]:
    """Each issued document reaches Sở Nội vụ once and Bộ Nội vụ (through the hub) once; its 01/03 once."""
    problems = []
    figures = Counter()
    registered_at_b = {d.document_id for d in ledger.decisions if d.installation == "b" and d.acked}
    issued = _all(engine_a, Document, Document.direction == "outgoing", Document.status == "issued")
    with reading(engine_b) as session:
        at_b = Counter(session.exec(select(Document.external_document_id).where(Document.source == "hub")))
        b_ids = {row[0]: row[1] for row in session.exec(
            select(Document.external_document_id, Document.id).where(Document.source == "hub"))}
    with reading(engine_a) as session:
        inside = Counter(session.exec(select(Document.external_document_id).where(Document.source == "internal")))
    for document in issued:
        figures["issued"] += 1
        external = document.external_document_id
        if inside.get(external, 0) != 1:
            problems.append(f"{document.id} reached Sở Nội vụ {inside.get(external, 0)} times")
        figures["delivered inside"] += min(1, inside.get(external, 0))
        if at_b.get(external, 0) != 1:
            problems.append(f"{document.id} reached Bộ Nội vụ {at_b.get(external, 0)} times")
        figures["delivered through the hub"] += min(1, at_b.get(external, 0))
        recipient = next(iter(_all(engine_a, Recipient, Recipient.document_id == document.id,
                                   Recipient.organ_id == MINISTRY_CODE)), None)
        if recipient is None:
            problems.append(f"{document.id} has no Bộ Nội vụ recipient")
            continue
        codes = Counter(e.code for e in _all(engine_a, RecipientEvent, RecipientEvent.recipient_id == recipient.id))
        if codes.get("01", 0) != 1:
            problems.append(f"{document.id}: status 01 recorded {codes.get('01', 0)} times")
        if b_ids.get(external) in registered_at_b:
            figures["registered at B"] += 1
            if codes.get("03", 0) != 1:
                problems.append(f"{document.id}: status 03 recorded {codes.get('03', 0)} times")
    for name, engine in (("a", engine_a), ("b", engine_b)):
        with reading(engine) as session:
            for status, count in session.exec(select(HubOutbox.transport_status, func.count())
                                              .group_by(HubOutbox.transport_status)):
                figures[f"{name} hub packages {status}"] += count
                if status != "sent":
                    problems.append(f"{name}: {count} hub packages {status}")
    return Check("every hub package delivered exactly once", not problems,
                 f"{figures['delivered through the hub']}/{figures['issued']} via hub", problems), dict(figures)


def verdicts_right(engine_a, ledger: Ledger) -> tuple[Check, Counter]:
    expected = {u.document_id: u.kind for u in ledger.uploads if u.acked}
    table = Counter()
    problems = []
    with reading(engine_a) as session:
        checks = {c.document_id: c.verdict for c in session.exec(
            select(SignatureCheck).where(SignatureCheck.document_id.in_(list(expected))))} if expected else {}
    for document_id, kind in expected.items():
        verdict = checks.get(document_id, "none")
        table[(kind, verdict)] += 1
        if (kind == "valid" and verdict == "invalid") or (kind == "invalid" and verdict == "valid"):
            problems.append(f"{kind} upload {document_id} judged {verdict}")
        if verdict == "none":
            problems.append(f"{kind} upload {document_id} was never checked")
    return Check("every signature verdict right", not problems,
                 ", ".join(f"{k}→{v}: {n}" for (k, v), n in sorted(table.items())), problems), table
