"""``make fuzz``: run every target for ``FUZZ_SECONDS`` and keep what it finds.

Each target runs as ``python -m fuzz.runner`` with its working corpus in ``var/fuzz/<target>``
(seeded from the ``seed-*`` files of ``tests/fuzz_corpus/<target>``). A run that stops on a
crash (or a timeout, or an out-of-memory) is restarted for the time left, so one crash does not
end the campaign; every crash file is copied into
``tests/fuzz_corpus/<target>/crash-<sha1>`` (the regression corpus the unit tests replay). The
summary (seconds, executions, crashes per target) goes to stdout and ``var/fuzz/summary.txt``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from fuzz import TARGETS

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "fuzz"
MAX_RESTARTS = 20  # after a crash the target restarts for the time left, this many times at most
OPTIONS = ["-timeout=20", "-rss_limit_mb=3072", "-max_len=65536", "-print_final_stats=1"]


def run(target: str, seconds: int) -> dict:
    corpus, crashes = WORK / target, WORK / "crashes" / target
    corpus.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    seeds = ROOT / "tests" / "fuzz_corpus" / target
    for seed in seeds.glob("seed-*"):  # the known crashes are replayed by the tests, not re-fed
        shutil.copyfile(seed, corpus / seed.name)
    started, runs, found, restarts = time.monotonic(), 0, [], 0
    log = (WORK / f"{target}.log").open("a")
    while (left := int(seconds - (time.monotonic() - started))) > 5 and restarts < MAX_RESTARTS:
        restarts += 1
        before = set(crashes.iterdir())
        command = [sys.executable, "-m", "fuzz.runner", target, str(corpus),
                   f"-max_total_time={left}", f"-artifact_prefix={crashes}/", *OPTIONS]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, errors="replace",
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        log.write(result.stderr)
        runs += sum(int(n) for n in re.findall(r"stat::number_of_executed_units:\s*(\d+)", result.stderr))
        new = sorted(set(crashes.iterdir()) - before)
        for artifact in new:
            data = artifact.read_bytes()
            kept = seeds / f"crash-{hashlib.sha1(data).hexdigest()}"
            shutil.copyfile(artifact, kept)
            found.append(f"{kept.name} ({artifact.name.split('-')[0]})")
        if result.returncode == 0:
            break
    return {"target": target, "seconds": round(time.monotonic() - started), "executions": runs, "crashes": found}


def main() -> None:
    seconds = int(os.environ.get("FUZZ_SECONDS", "60"))
    targets = sys.argv[1:] or list(TARGETS)
    lines = []
    for target in targets:
        outcome = run(target, seconds)
        lines.append(f"{outcome['target']}: {outcome['seconds']} s, {outcome['executions']} executions, "
                     f"{len(outcome['crashes'])} crash(es) {', '.join(outcome['crashes'])}".rstrip())
        sys.stdout.write(lines[-1] + "\n")
        sys.stdout.flush()
    WORK.mkdir(parents=True, exist_ok=True)
    with (WORK / "summary.txt").open("a") as summary:
        summary.write(time.strftime("%Y-%m-%d %H:%M:%S ") + f"FUZZ_SECONDS={seconds}\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
