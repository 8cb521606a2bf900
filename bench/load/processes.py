"""The product's processes as production runs them, and their memory.

A Temporal dev server (its SQLite file in the run's var dir, the search attributes registered, no
UI), the hub simulator (``qlvb hub``, as ``qlvb run`` starts it), ``qlvb worker``, and ``qlvb web`` with ``--workers N`` uvicorn processes on one port (when this
``qlvb web`` has no ``--workers`` yet, the same uvicorn command line it runs: ``uvicorn
app:create_app --factory --workers N``). Every port is a free one, so the run never meets another
installation on the machine. The hub receive loop polls once an hour instead of every minute.

``RssSampler`` reads ``/proc`` twice a second and keeps the peak resident memory of each process
tree (a process and all its descendants, summed: with several web workers the shared pages of
each count once per worker, so the sum is an upper bound).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench.common import ROOT, TEMPORAL_BIN
from workflows.search_attributes import dev_server_flags

START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as output:
        return subprocess.Popen(args, cwd=ROOT, env=env, process_group=0, stdin=subprocess.DEVNULL,
                                stdout=output, stderr=subprocess.STDOUT)


def _has_workers_option(env: dict) -> bool:
    shown = subprocess.run([sys.executable, "-m", "cli", "web", "--help"], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=False)
    return "--workers" in shown.stdout


class Product:
    """Temporal, the worker and the web processes of one run; ``stop`` ends them in that reverse order."""

    def __init__(self, env: dict[str, str], var_dir: Path, web_workers: int) -> None:
        self.var_dir = var_dir
        self.web_workers = web_workers
        self.temporal_port, self.web_port = free_port(), free_port()
        self.env = {**env, "TEMPORAL_ADDRESS": f"127.0.0.1:{self.temporal_port}",
                    "QLVB_WEB_PORT": str(self.web_port), "QLVB_WEB_HOST": "127.0.0.1",
                    "QLVB_WORKER_METRICS_ADDRESS": f"127.0.0.1:{free_port()}", "QLVB_HUB_POLL_SECONDS": "3600",
                    "QLVB_HUB_SIMULATOR_PORT": str(free_port()),
                    "PROMETHEUS_MULTIPROC_DIR": str(var_dir / "prometheus")}
        self.children: dict[str, subprocess.Popen] = {}
        self.web_command = ""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self) -> None:
        (self.var_dir / "prometheus").mkdir(parents=True, exist_ok=True)
        self.children["temporal"] = _spawn(
            [str(TEMPORAL_BIN), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(self.temporal_port),
             "--headless", "--db-filename", str(self.var_dir / "temporal.db"),
             "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
             "--log-level", "warn", *dev_server_flags()], self.env, self.var_dir / "temporal.log")
        self._wait(lambda: self._port_open(self.temporal_port), "temporal")
        # The hub simulator, as ``qlvb run`` has it: the worker's receive loop finds a hub to poll.
        self.children["hub"] = _spawn([sys.executable, "-m", "cli", "hub"], self.env, self.var_dir / "hub.log")
        self._wait(lambda: self._port_open(int(self.env["QLVB_HUB_SIMULATOR_PORT"])), "hub")
        self.children["worker"] = _spawn([sys.executable, "-m", "cli", "worker"], self.env,
                                         self.var_dir / "worker.log")
        if _has_workers_option(self.env):
            args = [sys.executable, "-m", "cli", "web", "--workers", str(self.web_workers)]
        else:
            args = [sys.executable, "-m", "uvicorn", "app:create_app", "--factory", "--host", "127.0.0.1",
                    "--port", str(self.web_port), "--workers", str(self.web_workers), "--no-server-header",
                    "--log-level", "warning", "--no-access-log"]
        self.web_command = " ".join(["qlvb" if args[2] == "cli" else "uvicorn", *args[3:]])
        self.children["web"] = _spawn(args, self.env, self.var_dir / "web.log")
        self._wait(self._web_answers, "web")

    def _wait(self, ready, name: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not ready():
            for child_name, child in self.children.items():
                if child.poll() is not None:
                    raise RuntimeError(f"{child_name} stopped (code {child.returncode}); see "
                                       f"{self.var_dir / (child_name + '.log')}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start in {START_TIMEOUT:.0f} s")
            time.sleep(0.5)

    @staticmethod
    def _port_open(port: int) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            return probe.connect_ex(("127.0.0.1", port)) == 0

    def _web_answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/login", timeout=5) as answer:
                return answer.status == 200
        except OSError:
            return False

    def alive(self) -> list[str]:
        """The names of the processes that stopped on their own."""
        return [name for name, child in self.children.items() if child.poll() is not None]

    def stop(self) -> None:
        for name in ("web", "worker", "hub", "temporal"):
            child = self.children.get(name)
            if child is None or child.poll() is not None:
                continue
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every descendant (0 for processes gone meanwhile)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    members, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in members:
                members.add(pid)
                frontier.append(pid)
    total = 0
    for pid in members:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class RssSampler(threading.Thread):
    """The peak of ``tree_rss`` of each named root process, sampled every ``interval`` seconds."""

    def __init__(self, roots: dict[str, int], interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.roots, self.interval = roots, interval
        self.peaks = {name: 0 for name in roots}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            for name, pid in self.roots.items():
                self.peaks[name] = max(self.peaks[name], tree_rss(pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> dict[str, int]:
        self._stop_event.set()
        self.join(timeout=5)
        return dict(self.peaks)
