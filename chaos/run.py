"""``make chaos``: run both installations under load, kill processes at random, check the invariants.

For each backend (SQLite, then PostgreSQL in a private cluster): start everything (``cluster``),
start the actors (``load``), then kill a random process (web, worker, Temporal, hub simulator,
PostgreSQL's server) with SIGKILL or SIGTERM every few seconds and start it again after a short
random delay. After the last kill the actors stop, every process is up again, and the run waits
up to ``--settle`` seconds for the invariants to hold (``invariants``). Prints a table of kills and
one of figures and invariants per backend; exits 1 if an invariant failed.

    python -m chaos.run --kills 200 --backend both      # the full run (make chaos)
    python -m chaos.run --smoke                         # 6 kills on SQLite (make chaos-smoke)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaos import invariants  # noqa: E402
from chaos.cluster import DEMO_PASSWORD, NAMESPACE_A, NAMESPACE_B, ROOT, Cluster  # noqa: E402
from chaos.load import Load, Signer  # noqa: E402

SIGNALS = {"SIGKILL": signal.SIGKILL, "SIGTERM": signal.SIGTERM}


def out(line: str = "") -> None:
    print(line, flush=True)  # noqa: T201


def idempotency_supported() -> bool:
    """Has the ``Idempotency-Key`` support of the create APIs landed (in the code and in git log)?"""
    sources = [*ROOT.glob("web/*.py"), *ROOT.glob("commands/*.py")]
    in_code = any("idempotency-key" in path.read_text(encoding="utf-8").lower() for path in sources)
    log = subprocess.run(["git", "log", "--oneline", "-i", "--grep=Idempotency-Key"], cwd=ROOT,
                         capture_output=True, text=True, check=False).stdout
    return in_code and bool(log.strip())


@dataclass
class Kill:
    at: float
    process: str
    kind: str
    signal: str
    ended: str  # exited | escalated
    down_for: float = 0.0


@dataclass
class Result:
    backend: str
    kills: list[Kill] = field(default_factory=list)
    checks: list[invariants.Check] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)
    unplanned: dict[str, int] = field(default_factory=dict)
    directory: Path | None = None

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)


class Killer:
    """Kills one process at a time at random intervals; each comes back after a random delay."""

    def __init__(self, cluster: Cluster, rng: random.Random, restart_delay: tuple[float, float]) -> None:
        self.cluster = cluster
        self.rng = rng
        self.restart_delay = restart_delay
        self.kills: list[Kill] = []
        self.restarts: list[threading.Thread] = []
        self.began = time.monotonic()

    def kill_one(self) -> Kill | None:
        candidates = [p for p in self.cluster.procs.values() if p.alive() and not p.down_until_restart]
        if not candidates:
            return None
        proc = self.rng.choice(candidates)
        name = self.rng.choice(list(SIGNALS))
        with proc.lock:
            if not proc.alive() or proc.down_until_restart:
                return None
            proc.down_until_restart = True
            down = time.monotonic()
            ended = proc.stop(SIGNALS[name])
        kill = Kill(time.monotonic() - self.began, proc.name, proc.kind, name, ended)
        self.kills.append(kill)
        delay = self.rng.uniform(*self.restart_delay)

        def back() -> None:
            time.sleep(delay)
            with proc.lock:
                try:
                    self.cluster.restart(proc)
                except Exception as error:  # noqa: BLE001 - the watchdog tries again
                    self.cluster.say(f"restart of {proc.name} failed: {error}")
                finally:
                    proc.down_until_restart = False
            kill.down_for = time.monotonic() - down

        thread = threading.Thread(target=back, name=f"restart-{proc.name}", daemon=True)
        thread.start()
        self.restarts.append(thread)
        return kill

    def join(self) -> None:
        for thread in self.restarts:
            thread.join()


def _engine(url: str):
    from models.db import make_engine

    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return make_engine(url)


def _ids(engine) -> dict:
    from sqlmodel import select

    from models.db import reading
    from models.documents.types import DocumentType
    from models.org.tables import Agency, OrgUnit, User

    with reading(engine) as session:
        office = session.exec(select(Agency.id).where(Agency.code == "000.00.01.H23")).one()
        return {
            "cong_van": session.exec(select(DocumentType.id).where(DocumentType.name == "Công văn")).one(),
            "snv": session.exec(select(Agency.id).where(Agency.code == "000.00.02.H23")).one(),
            "lanhdao": session.exec(select(User.id).where(User.username == "lanhdao")).one(),
            "unit_th": session.exec(select(OrgUnit.id).where(OrgUnit.agency_id == office,
                                                             OrgUnit.abbreviation == "TH")).one(),
        }


async def _views(port: int):
    from temporalio.client import Client

    clients = {"a": await Client.connect(f"127.0.0.1:{port}", namespace=NAMESPACE_A),
               "b": await Client.connect(f"127.0.0.1:{port}", namespace=NAMESPACE_B)}
    views = {name: await invariants.temporal_view(client) for name, client in clients.items()}
    return clients, views


def _evaluate(cluster: Cluster, load: Load, idempotency: bool, need_issue: bool) -> tuple[list[invariants.Check], list[tuple[str, str]]]:
    a, b = cluster.installations["a"], cluster.installations["b"]
    engines = {"a": a.engine, "b": b.engine}
    ledger = load.ledger

    async def temporal_part():
        clients, views = await _views(cluster.temporal_port)
        failed, counts = await invariants.failed(clients)
        return views, failed, counts

    views, failed, counts = asyncio.run(temporal_part())
    checks = invariants.acknowledged_exactly_once(a.engine, ledger, idempotency)
    checks.append(invariants.decisions_applied(engines, ledger))
    registers, numbers = invariants.registers_gapless(engines)
    checks.append(registers)
    checks.append(invariants.stuck(engines, views, ledger))
    checks.append(failed)
    delivered, hub_figures = invariants.delivered_once(a.engine, b.engine, ledger)
    checks.append(delivered)
    verdicts, verdict_table = invariants.verdicts_right(a.engine, ledger)
    checks.append(verdicts)

    uploads, drafts, decisions = ledger.uploads, ledger.drafts, ledger.decisions
    acked_uploads, issued = sum(u.acked for u in uploads), sum(d.issued for d in drafts)
    checks.append(invariants.Check("the load made progress", acked_uploads > 0 and (issued > 0 or not need_issue),
                                   f"{acked_uploads} uploads acknowledged, {issued} documents issued"))
    workflows = Counter(status for view in views.values() for _kind, status in view.executions.values())
    figures = [
        ("uploads sent / acknowledged", f"{len(uploads)} / {sum(u.acked for u in uploads)}"),
        ("uploads retried (unanswered first)", str(sum(u.unacked_attempts > 0 for u in uploads))),
        ("drafts sent / acknowledged", f"{len(drafts)} / {sum(d.acked for d in drafts)}"),
        ("drafts submitted / issued", f"{sum(d.submitted for d in drafts)} / {sum(d.issued for d in drafts)}"),
        ("decisions sent / acknowledged", f"{len(decisions)} / {sum(d.acked for d in decisions)}"),
        ("HTTP answers", ", ".join(f"{k}: {v}" for k, v in sorted(ledger.http.items()))),
        ("register numbers (both installations)", str(numbers)),
        ("signature verdicts (kind→verdict)", verdicts.figure),
        *[(f"hub: {k}", str(v)) for k, v in sorted(hub_figures.items())],
        ("workflows by status", ", ".join(f"{k}: {v}" for k, v in sorted(workflows.items()))),
        ("failed/timed out/terminated", ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "0"),
    ]
    return checks, figures


def run_backend(backend: str, kills: int, args, rng: random.Random, idempotency: bool) -> Result:
    from config.settings import Settings

    directory = Path(tempfile.mkdtemp(prefix=f"qlvb-chaos-{backend}-"))
    result = Result(backend, directory=directory)
    cluster = Cluster(directory, backend, out, source=args.source)
    load = None
    try:
        out(f"[{backend}] starting in {directory} …")
        began = time.monotonic()
        cluster.prepare()
        for inst in cluster.installations.values():
            inst.engine = _engine(inst.database_url)
        a, b = cluster.installations["a"], cluster.installations["b"]
        out(f"[{backend}] up after {time.monotonic() - began:.0f} s: {cluster.describe()}")
        signer = Signer(Settings(var_dir=a.var_dir))
        load = Load(a.base_url, b.base_url, DEMO_PASSWORD, _ids(a.engine), signer, idempotency,
                    drafters=args.drafters, pace=args.pace)
        cluster.watch()
        load.start()
        time.sleep(args.warmup)
        killer = Killer(cluster, rng, (args.restart_min, args.restart_max))
        while len(killer.kills) < kills:
            time.sleep(rng.uniform(args.interval_min, args.interval_max))
            kill = killer.kill_one()
            if kill is not None:
                out(f"[{backend}] kill {len(killer.kills):>3}/{kills}  {kill.signal:<7} {kill.process:<9} "
                    f"({kill.ended}) at {kill.at:6.0f} s · uploads {sum(u.acked for u in load.ledger.uploads)}"
                    f" · issued {sum(d.issued for d in load.ledger.drafts)}")
        killer.join()
        result.kills = killer.kills
        out(f"[{backend}] last kill done; load goes on {args.tail:.0f} s, then stops")
        time.sleep(args.tail)
        load.stop()
        cluster.all_up()
        out(f"[{backend}] settling (up to {args.settle:.0f} s) …")
        deadline = time.monotonic() + args.settle
        while True:
            checks, figures = _evaluate(cluster, load, idempotency, need_issue=kills >= 20)
            if all(c.passed for c in checks) or time.monotonic() > deadline:
                break
            time.sleep(5)
        out(f"[{backend}] settled after {args.settle - max(0.0, deadline - time.monotonic()):.0f} s")
        result.checks, result.figures = checks, figures
    except Exception as error:  # noqa: BLE001 - the run is reported as failed with the reason
        result.checks.append(invariants.Check("the run itself", False, repr(error)))
        if load is not None:
            load.stop(timeout=10)
    finally:
        result.unplanned = dict(cluster.unplanned_exits)
        if load is not None:
            result.figures.append(("actor notes (refusals, give-ups)", str(len(load.ledger.errors))))
            result.figures += [("  note", text[:150]) for text in load.ledger.errors[:5]]
            result.figures.append(("unplanned exits (restarted)",
                                   ", ".join(f"{k}: {v}" for k, v in sorted(result.unplanned.items())) or "0"))
            if load.ledger.errors:
                (directory / "actor-notes.txt").write_text("\n".join(load.ledger.errors) + "\n", encoding="utf-8")
        cluster.shutdown()
        if result.passed and not args.keep:
            cluster.remove()
    return result


def report(result: Result) -> None:
    out()
    out(f"=== chaos on {result.backend}: {len(result.kills)} kills ===")
    kinds = ["web", "worker", "temporal", "hub", "postgres"]
    by = Counter((k.kind, k.signal) for k in result.kills)
    escalated = Counter(k.kind for k in result.kills if k.ended == "escalated")
    out(f"  {'process':<10} {'SIGKILL':>8} {'SIGTERM':>8} {'total':>6} {'TERM→KILL':>10}")
    for kind in kinds:
        total = by[(kind, "SIGKILL")] + by[(kind, "SIGTERM")]
        if total or kind != "postgres" or result.backend == "postgres":
            out(f"  {kind:<10} {by[(kind, 'SIGKILL')]:>8} {by[(kind, 'SIGTERM')]:>8} {total:>6} {escalated[kind]:>10}")
    out(f"  {'all':<10} {sum(v for (k, s), v in by.items() if s == 'SIGKILL'):>8} "
        f"{sum(v for (k, s), v in by.items() if s == 'SIGTERM'):>8} {len(result.kills):>6} {sum(escalated.values()):>10}")
    out()
    width = max([len(label) for label, _ in result.figures] + [10])
    for label, value in result.figures:
        out(f"  {label:<{width}}  {value}")
    out()
    for check in result.checks:
        out(f"  [{'PASS' if check.passed else 'FAIL'}] {check.name}: {check.figure}")
        for detail in check.details[:15]:
            out(f"         - {detail}")
        if len(check.details) > 15:
            out(f"         … and {len(check.details) - 15} more")
    if not result.passed:
        out(f"  logs kept in {result.directory}")


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chaos", description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--kills", type=int, default=200, help="kills in total, split between the backends")
    parser.add_argument("--smoke", action="store_true", help="6 kills on SQLite, short intervals")
    parser.add_argument("--seed", type=int, default=None, help="random seed (printed when not given)")
    parser.add_argument("--settle", type=float, default=240.0, help="seconds the invariants may take to hold")
    parser.add_argument("--interval-min", type=float, default=4.0)
    parser.add_argument("--interval-max", type=float, default=12.0)
    parser.add_argument("--restart-min", type=float, default=0.5)
    parser.add_argument("--restart-max", type=float, default=4.0)
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds of load before the first kill")
    parser.add_argument("--tail", type=float, default=10.0, help="seconds of load after the last kill")
    parser.add_argument("--drafters", type=int, default=2)
    parser.add_argument("--pace", type=float, default=1.0, help="multiplies the actors' pauses")
    parser.add_argument("--keep", action="store_true", help="keep the run directory even when all passed")
    parser.add_argument("--source", choices=["worktree", "head"], default="worktree",
                        help="the code the processes run: the working tree's files, or the last commit")
    args = parser.parse_args(argv)
    # SIGTERM (a background run has SIGINT ignored) stops the run like Ctrl-C: every child is stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    if args.smoke:
        args.backend, args.kills, args.settle = "sqlite", 6, min(args.settle, 120.0)
        args.interval_min, args.interval_max, args.warmup, args.tail = 2.0, 5.0, 8.0, 5.0
        args.drafters = 1
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    random.seed(seed)
    idempotency = idempotency_supported()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    out(f"chaos: seed {seed}, {args.kills} kills over {', '.join(backends)}; Idempotency-Key support "
        f"{'landed: a duplicate is a failure' if idempotency else 'not landed: duplicates from retries counted apart'}")
    results = []
    for index, backend in enumerate(backends):
        share = args.kills // len(backends) + (1 if index < args.kills % len(backends) else 0)
        results.append(run_backend(backend, share, args, rng, idempotency))
        report(results[-1])
    passed = all(r.passed for r in results)
    out()
    out(f"chaos: {sum(len(r.kills) for r in results)} kills, "
        + ("every invariant held" if passed else "INVARIANTS FAILED"))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
