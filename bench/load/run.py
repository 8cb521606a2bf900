"""The HTTP load benchmark (issue 15): the real processes, Locust from outside, stepped arrival rates.

1. The corpus (``corpus``): ``--documents`` documents (default 1,000,000) over 300 agencies and
   5,100 people, in a SQLite file (``--database``, kept for ``--reuse``) or in PostgreSQL
   (``--postgres-url``; its public schema is dropped and made again unless ``--reuse``).
2. The product (``processes``): Temporal, ``qlvb worker``, ``qlvb web`` with ``--web-workers``
   processes, in a temporary var dir, on free ports.
3. Locust in headless mode in its own process (``locustfile``): ``--users`` people dealt over the
   agencies (``mix.deal``), logged in through the form, then the steps ``--steps`` (rate × seconds)
   as an open loop (``schedule``), or with ``--closed`` as a closed loop for comparison.
4. The report (``report``): per step and route p50/p95/p99 of the server's answer (and p95 from the
   moment the request was due), errors, throughput, achieved against target rate, the goals of
   issue 15, the highest rate keeping all of them, the peak RSS of the web and worker process
   trees; JSON in ``test-artifacts/`` with ``--json``.

``--smoke``: 1,000 documents on SQLite, 20 s at 5 requests/s. ``make bench-load`` runs it with
``LOAD_ARGS``. Alone: ``python -m bench.load.run --help``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from sqlalchemy import text  # noqa: E402

import models.all  # noqa: E402, F401
from bench.common import ROOT, out  # noqa: E402
from bench.load import corpus, mix  # noqa: E402
from bench.load.processes import Product, RssSampler  # noqa: E402
from bench.load.report import Sample, figures, highest_kept  # noqa: E402
from bench.load.schedule import Step, parse_steps  # noqa: E402
from models.db import make_engine  # noqa: E402

PASSWORD = "Tai@2026benchmark"
DEFAULT_STEPS = "10x60,25x60,50x60,75x60,100x60"
ARTIFACTS = ROOT / "test-artifacts"
UPLOAD_FILES = 2000


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


def prepare_database(args, env: dict, url: str) -> None:
    """Seed the corpus, or check the one seeded before is there."""
    engine = make_engine(url)
    try:
        if args.reuse:
            count = corpus.document_count(engine)
            if count == 0:
                raise SystemExit("--reuse: the database has no corpus; run once without --reuse")
            out(f"    reusing the corpus seeded before: {count:,} documents")
            return
        if url.startswith("postgresql"):
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        began = time.perf_counter()
        corpus.prepare(env)
        prepared = time.perf_counter() - began
        counts = corpus.seed(engine, args.documents, PASSWORD, random.Random(args.seed))
        seconds = time.perf_counter() - began
        out(f"    seeded in {seconds:.0f} s (migrations and installation data {prepared:.0f} s, "
            f"{args.documents / max(seconds - prepared, 0.001):,.0f} documents/s): "
            + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    finally:
        corpus.sqlite_without_statistics(engine)
        engine.dispose()


def run_locust(product: Product, people: list[dict], steps: list[Step], mode: str, seed: int,
               folder: Path) -> tuple[list[Sample], float]:
    """Locust in its own process against ``product``; the samples and the clock time the steps began."""
    from tests.conftest import minimal_pdf

    pdfs, run = [], uuid.uuid4().hex[:12]  # another run's files are other files too
    for number in range(UPLOAD_FILES):  # one file per upload: the same file twice is a probable duplicate
        pdfs.append(str(folder / f"upload-{number}.pdf"))
        Path(pdfs[-1]).write_bytes(minimal_pdf(2, f"Cong van kiem tra tai {run} {number}"))
    plan = dict(base_url=product.base_url, people=people, users=len(people), password=PASSWORD, mode=mode,
                steps=[[step.rate, step.seconds] for step in steps], seed=seed,
                output=str(folder / "samples.jsonl"), pdfs=pdfs)
    (folder / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    total = sum(step.seconds for step in steps)
    limit = int(120 + len(people) * 1.5 + total * 1.5)
    env = {**os.environ, "LOAD_PLAN": str(folder / "plan.json"), "PYTHONPATH": str(ROOT)}
    with open(folder / "locust.log", "wb") as log:
        subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench/load/locustfile.py"), "--headless",
                        "--users", str(len(people)), "--spawn-rate", "20", "--run-time", f"{limit}s",
                        "--stop-timeout", "60", "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
                       cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False, timeout=limit + 120)
    lines = (folder / "samples.jsonl").read_text(encoding="utf-8").splitlines() \
        if (folder / "samples.jsonl").exists() else []
    if not lines:
        raise RuntimeError(f"Locust wrote no samples; see {folder / 'locust.log'}:\n"
                           + (folder / "locust.log").read_text(errors="replace")[-3000:])
    head = json.loads(lines[0])
    samples = [Sample(**json.loads(line)) for line in lines[1:]]
    return samples, head["start"] or 0.0


def print_report(samples: list[Sample], steps: list[Step], start: float, mode: str, users: int) -> list:
    logins = [sample for sample in samples if sample.step < 0]
    failed_logins = sum(1 for sample in logins if not sample.ok)
    out(f"    {users} simulated people logged in ({len(logins)} requests before the clock started, "
        f"{failed_logins} failed)")
    kinds: dict[str, int] = {}
    for sample in logins:
        if not sample.ok:
            kinds[f"{sample.route}: {sample.error}"] = kinds.get(f"{sample.route}: {sample.error}", 0) + 1
    for kind, count in sorted(kinds.items(), key=lambda item: -item[1])[:5]:
        out(f"    error ×{count} before the clock: {kind}")
    steps_figures = figures([sample for sample in samples if sample.step >= 0], steps, start)
    for figures_ in steps_figures:
        step = figures_.step
        head = (f"closed loop, {users} users, {step.seconds:.0f} s" if mode == "closed"
                else f"target {step.rate:g} req/s for {step.seconds:.0f} s")
        out(f"  -- {head}: achieved {figures_.achieved_rate:.1f} req/s, throughput {figures_.throughput:.1f} ok/s, "
            f"{figures_.late_share * 100:.0f} % left late, {figures_.errors} errors"
            + ("" if mode == "closed" else f"; goals {'KEPT' if figures_.keeps_goals else 'NOT kept'}"))
        out(f"    {'route':<32} {'n':>6} {'err':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p95 due':>8} {'goal':>6}")
        for route in figures_.routes:
            if route.count == 0:  # every request of the route was in the settling seconds, or failed
                out(f"    {route.route:<32} {0:>6} {route.errors:>5}")
                continue
            goal = f"{route.goal_ms:.0f}" if route.goal_ms else "—"
            mark = "" if route.keeps_goal else " ✗"
            out(f"    {route.route:<32} {route.count:>6} {route.errors:>5} {route.p50:>8.1f} {route.p95:>8.1f} "
                f"{route.p99:>8.1f} {route.p95_from_due:>8.1f} {goal:>6}{mark}")
        for kind, count in sorted(figures_.error_kinds.items(), key=lambda item: -item[1])[:6]:
            out(f"    error ×{count}: {kind}")
        if mode == "open" and not figures_.keeps_goals:
            out(f"    not kept: {'; '.join(figures_.failures())}")
    if mode == "open":
        best = highest_kept(steps_figures)
        kept = [f"{f.step.rate:g}" for f in steps_figures if f.keeps_goals]
        out(f"  highest arrival rate keeping every goal (and every lower rate too): "
            f"{f'{best:g} req/s' if best else 'none of the rates tried'}; rates that kept them: "
            f"{', '.join(kept) or 'none'} req/s")
    return steps_figures


def _tracebacks(log: Path) -> list[str]:
    if not log.exists():
        return []
    chunks = log.read_text(errors="replace").split("Traceback (most recent call last):")[1:]
    return ["Traceback (most recent call last):" + chunk[:2500] for chunk in chunks]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    steps = parse_steps(args.steps)
    mode = "closed" if args.closed else "open"
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    users = args.closed or args.users or max(20, math.ceil(max(step.rate for step in steps) * 1.2) + 10)
    out(f"== load: {args.documents:,} documents on {backend}, {args.web_workers} web workers, "
        f"{'closed loop' if args.closed else 'open loop'}, steps {args.steps}, machine load {_load()}"
        + "".join(f", {name}={value}" for name, value in args.set))
    out("    mix: " + ", ".join(f"{route.split()[0]} {share * 100:.0f} %" for route, share in mix.overall_mix().items()))
    with tempfile.TemporaryDirectory(prefix="qlvb-load-") as temp:
        folder = Path(temp)
        database = Path(args.database or (ARTIFACTS / f"load-corpus-{args.documents}.db"))
        if not args.postgres_url and not args.reuse and database.exists():
            database.unlink()
        database.parent.mkdir(parents=True, exist_ok=True)
        url = args.postgres_url or f"sqlite:///{database}"
        env = {**corpus.environment(url, str(folder / "var"), PASSWORD), **dict(args.set)}
        prepare_database(args, env, url)
        if args.seed_only:
            return 0
        engine = make_engine(url)
        people = mix.deal(corpus.corpus_users(engine), users)
        engine.dispose()
        product = Product(env, folder / "var", args.web_workers)
        product.start()
        out(f"    product up: {product.web_command}; worker; Temporal dev server; load {_load()}")
        sampler = RssSampler({name: product.children[name].pid for name in ("web", "worker", "temporal")})
        sampler.start()
        try:
            samples, start = run_locust(product, people, steps, mode, args.seed, folder)
        finally:
            peaks = sampler.stop()
            stopped = product.alive()
            product.stop()
            logs = ARTIFACTS / "load-logs"
            logs.mkdir(parents=True, exist_ok=True)
            for name in ("web.log", "worker.log", "temporal.log", "locust.log"):
                for where in (folder / "var" / name, folder / name):
                    if where.exists():
                        shutil.copy(where, logs / name)
        out(f"    after the run: machine load {_load()}"
            + (f"; STOPPED on their own: {', '.join(stopped)}" if stopped else ""))
        steps_figures = print_report(samples, steps, start, mode, len(people))
        out("    peak RSS (process trees, summed): " + ", ".join(f"{name} {peak / 2**20:.0f} MiB"
                                                               for name, peak in peaks.items())
            + f" (goal: web and worker each < 500 MiB; web = {args.web_workers} workers and their parent)")
        traces = _tracebacks(logs / "web.log") + _tracebacks(logs / "worker.log")
        if traces:
            out(f"    {len(traces)} tracebacks in the web and worker logs ({logs}); the first:")
            out("      " + traces[0].replace("\n", "\n      "))
        if args.json:
            ARTIFACTS.mkdir(exist_ok=True)
            target = ARTIFACTS / f"load-{backend.lower()}-{args.documents}-{mode}.json"
            target.write_text(json.dumps(dict(
                backend=backend, documents=args.documents, web_workers=args.web_workers, mode=mode, users=len(people),
                load_after=_load(), rss_peak_bytes=peaks, highest_kept=highest_kept(steps_figures) if mode == "open"
                else None,
                steps=[dict(rate=f.step.rate, seconds=f.step.seconds, achieved=f.achieved_rate, throughput=f.throughput,
                            late_share=f.late_share, errors=f.errors, keeps_goals=f.keeps_goals,
                            routes=[vars(route) for route in f.routes]) for f in steps_figures]),
                ensure_ascii=False, indent=1), encoding="utf-8")
            out(f"    written {target.relative_to(ROOT)}")
    return 0 if all(f.errors == 0 for f in steps_figures) else 1


def _setting(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"cần dạng TÊN=GIÁ_TRỊ, nhận «{text}»")
    return name, value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", default=None, help="seed and run on this PostgreSQL database")
    parser.add_argument("--database", default=None, help="the SQLite file (default test-artifacts/load-corpus-N.db)")
    parser.add_argument("--reuse", action="store_true", help="use the corpus seeded before, do not seed")
    parser.add_argument("--steps", default=DEFAULT_STEPS, help="rate x seconds, comma-separated (open loop)")
    parser.add_argument("--users", type=int, default=0, help="Locust users (default 1.2 × the highest rate + 10)")
    parser.add_argument("--closed", type=int, default=0, metavar="USERS",
                        help="a closed loop of USERS users for the steps' total time, instead of the open loop")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--set", action="append", default=[], type=_setting, metavar="NAME=VALUE",
                        help="a setting of the product's processes, e.g. QLVB_DB_MAX_OVERFLOW=20 (repeatable)")
    parser.add_argument("--seed-only", action="store_true", help="seed the corpus and stop (then run with --reuse)")
    parser.add_argument("--json", action="store_true", help="also write test-artifacts/load-….json")
    parser.add_argument("--smoke", action="store_true", help="1,000 documents on SQLite, 20 s at 5 req/s")
    args = parser.parse_args(argv)
    if args.smoke:
        args.documents, args.postgres_url, args.steps = 1000, None, "5x20"
        args.users = args.users or 12
    return args


if __name__ == "__main__":
    sys.exit(main())
