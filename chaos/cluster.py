"""The processes of a chaos run, started as the product starts them, and killed and restarted at will.

Two installations as in ``docs/two-installations.md``: A (the province, ``qlvb seed --profile province``) and B (the
ministry, ``qlvb seed --profile ministry``), each with its own database, var directory, Temporal
namespace, web app (``qlvb web``) and worker (``qlvb worker``); one Temporal dev server
(``temporal server start-dev`` on a SQLite file, so a kill loses nothing it acknowledged) and one
hub simulator (``qlvb hub``) between them. On PostgreSQL both databases live in a private cluster
started for the run (never the machine's shared server), which is killed and restarted like the rest.

The processes run a copy of the code taken when the run starts (``--source``: the working tree, or
the last commit), so edits made in the checkout during a long run do not reach restarted processes.

Every process gets its own port (free ports, so a ``qlvb run`` elsewhere on the machine is not
disturbed) and its own log file in the run directory.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEMPORAL = BIN / "temporal"
# Debian's PostgreSQL binaries (package postgresql), the newest version installed.
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), default=Path("/nonexistent"))
DEMO_PASSWORD = "Chaos@2026pass"
NAMESPACE_A = "default"
NAMESPACE_B = "qlvb-b"
MINISTRY_SYSTEM = "bnv-dev"  # the outside system the simulator registers (devservers.hub.systems)
# How long a process may take to stop after SIGTERM before it is killed (the worker lets running
# activities finish for QLVB_WORKER_GRACEFUL_SHUTDOWN_SECONDS first).
STOP_GRACE = {"web": 15.0, "worker": 20.0, "temporal": 15.0, "hub": 10.0, "postgres": 10.0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port: int, timeout: float, proc: Proc | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return True
        if proc is not None and not proc.alive():
            return False
        time.sleep(0.2)
    return False


@dataclass
class Proc:
    """One child process: how to start it, and its current incarnation."""

    name: str  # e.g. "web-a"
    kind: str  # web | worker | temporal | hub | postgres
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    user: str | None = None  # run as this user (PostgreSQL refuses root)
    cwd: Path = ROOT
    popen: subprocess.Popen | None = None
    starts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    down_until_restart: bool = False  # the killer holds it down; the watchdog leaves it alone

    def start(self) -> None:
        with open(self.log, "ab") as output:
            output.write(f"\n=== start {self.starts + 1} at {time.strftime('%H:%M:%S')} ===\n".encode())
            output.flush()
            self.popen = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, process_group=0,
                                          stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                          user=self.user)
        self.starts += 1

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def send(self, sig: int) -> None:
        if self.alive():
            try:
                os.kill(self.popen.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, sig: int) -> str:
        """Send ``sig``; after SIGTERM wait for the process to end, escalating if it does not.

        Returns how it ended: "exited", or "escalated" when SIGTERM had to be followed by a kill.
        """
        self.send(sig)
        grace = 10.0 if sig == signal.SIGKILL else STOP_GRACE[self.kind]
        if self._wait(grace):
            return "exited"
        if self.kind == "postgres" and sig == signal.SIGTERM:
            # A smart shutdown waits for every client to leave, and pools never leave: a fast one.
            self.send(signal.SIGINT)
            if self._wait(grace):
                return "exited"
        self.send(signal.SIGKILL)
        self._wait(30)
        return "escalated"

    def _wait(self, timeout: float) -> bool:
        try:
            self.popen.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def ready(self, timeout: float) -> bool:
        return True if self.port is None else wait_for_port(self.port, timeout, self)


@dataclass
class Installation:
    """One QLVB installation: what its processes share (environment, database, var directory)."""

    name: str  # "a" or "b"
    var_dir: Path
    database_url: str
    namespace: str
    web_port: int
    env: dict[str, str]
    engine: object = None  # the harness's read-only engine (invariants)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"


class Cluster:
    """Everything a chaos run starts; ``procs`` by name, restartable one by one."""

    def __init__(self, directory: Path, backend: str, log, source: str = "worktree") -> None:
        self.dir = directory
        self.source = source
        self.src = directory / "src"
        self.backend = backend
        self.say = log
        self.procs: dict[str, Proc] = {}
        self.temporal_port = free_port()
        self.hub_port = free_port()
        self.pg_port = free_port() if backend == "postgres" else None
        self.installations: dict[str, Installation] = {}
        self.unplanned_exits: dict[str, int] = {}
        self._watching = False
        self._watchdog: threading.Thread | None = None

    # --- set-up ---------------------------------------------------------------------------

    def prepare(self) -> None:
        """Create the databases, migrate and seed, make the PKI and the hub secrets; start everything."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self._snapshot()
        if self.backend == "postgres":
            self._init_postgres()
            self._start(self.procs["postgres"])
        self._start(self._temporal_proc())
        asyncio.run(self._search_attributes_for_b())
        for name in ("a", "b"):
            self.installations[name] = self._installation(name)
        a, b = self.installations["a"], self.installations["b"]
        self._run_qlvb(a, ["seed", "--profile", "province"])  # the H23 codes chaos.run names
        self._run_qlvb(b, ["seed", "--profile", "ministry"])
        self._pki_and_hub_secrets(a, b)
        self._start(self._qlvb_proc("hub", "hub", a, ["hub", "--port", str(self.hub_port)], self.hub_port))
        for inst in (a, b):
            self._start(self._qlvb_proc(f"worker-{inst.name}", "worker", inst, ["worker"]))
            self._start(self._qlvb_proc(f"web-{inst.name}", "web", inst, ["web"], inst.web_port))

    def _snapshot(self) -> None:
        """The code the processes run: the last commit, or the working tree's files (tracked and new)."""
        self.src.mkdir(parents=True)
        if self.source == "head":
            archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(self.src)], input=archive, check=True)
            return
        listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                                capture_output=True).stdout.decode().split("\0")
        for name in filter(None, listed):
            origin = ROOT / name
            if origin.is_file():
                target = self.src / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target)

    def _init_postgres(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError("PostgreSQL's binaries are missing: apt-get install postgresql")
        data = self.dir / "pgdata"
        sockets = self.dir / "pgsock"
        postgres = pwd.getpwnam("postgres")
        for path in (data, sockets):
            path.mkdir(parents=True, exist_ok=True)
            os.chown(path, postgres.pw_uid, postgres.pw_gid)
        os.chmod(data, 0o700)
        self.dir.chmod(0o755)
        log = self.dir / "postgres.log"
        log.touch()
        os.chown(log, postgres.pw_uid, postgres.pw_gid)
        subprocess.run([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--locale=C.UTF-8"], check=True, user="postgres", cwd="/tmp",
                       stdout=subprocess.DEVNULL)
        self.procs["postgres"] = Proc(
            "postgres", "postgres",
            [str(PG_BIN / "postgres"), "-D", str(data), "-p", str(self.pg_port), "-k", str(sockets),
             "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "shared_buffers=64MB"],
            {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}, log, self.pg_port, user="postgres")

    def _temporal_proc(self) -> Proc:
        from workflows.search_attributes import dev_server_flags

        proc = Proc("temporal", "temporal", [
            str(TEMPORAL), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(self.temporal_port),
            "--headless", "--db-filename", str(self.dir / "temporal.db"),
            "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
            "--namespace", NAMESPACE_B, "--log-level", "warn", *dev_server_flags()],
            dict(os.environ), self.dir / "temporal.log", self.temporal_port)
        self.procs["temporal"] = proc
        return proc

    async def _search_attributes_for_b(self) -> None:
        """The dev server registers QLVB's search attributes in ``default`` only (docs/two-installations.md)."""
        from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
        from temporalio.client import Client
        from temporalio.service import RPCError

        from workflows import search_attributes

        client = await Client.connect(f"127.0.0.1:{self.temporal_port}")
        attributes = {key.name: int(key.indexed_value_type) for key in search_attributes.ALL}
        for _attempt in range(150):
            try:
                await client.operator_service.add_search_attributes(
                    AddSearchAttributesRequest(search_attributes=attributes, namespace=NAMESPACE_B))
                return
            except RPCError:
                await asyncio.sleep(0.2)
        raise RuntimeError("search attributes of qlvb-b could not be registered")

    def _installation(self, name: str) -> Installation:
        var_dir = self.dir / f"var-{name}"
        var_dir.mkdir(parents=True, exist_ok=True)
        if self.backend == "postgres":
            database = f"qlvb_{name}"
            subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
                            database], check=True, cwd="/tmp")
            url = f"postgresql://postgres@127.0.0.1:{self.pg_port}/{database}"
        else:
            url = f"sqlite:///{var_dir / 'qlvb.db'}"
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("QLVB_") and k not in (
                "DATABASE_URL", "TEMPORAL_ADDRESS", "PYTHONPATH")},
            "PYTHONPATH": str(self.src),  # the snapshot, ahead of the editable install of the checkout
            "QLVB_VAR_DIR": str(var_dir), "DATABASE_URL": url,
            "TEMPORAL_ADDRESS": f"127.0.0.1:{self.temporal_port}",
            "QLVB_TEMPORAL_NAMESPACE": NAMESPACE_A if name == "a" else NAMESPACE_B,
            "QLVB_WEB_PORT": str(port), "QLVB_DEMO_PASSWORD": DEMO_PASSWORD,
            "QLVB_HUB_URL": f"http://127.0.0.1:{self.hub_port}", "QLVB_HUB_SIMULATOR_PORT": str(self.hub_port),
            "QLVB_HUB_POLL_SECONDS": "3", "QLVB_MAINTENANCE_SECONDS": "10",
            "QLVB_WORKER_GRACEFUL_SHUTDOWN_SECONDS": "5",
            "QLVB_UPLOAD_MAX_BYTES": str(2 * 1024 * 1024),
        }
        if name == "b":
            env["QLVB_HUB_SYSTEM_ID"] = MINISTRY_SYSTEM
        return Installation(name, var_dir, url, env["QLVB_TEMPORAL_NAMESPACE"], port, env)

    def _qlvb(self, args: list[str]) -> list[str]:
        """``qlvb ARGS`` from the snapshot."""
        return [sys.executable, "-m", "cli", *args]

    def _run_qlvb(self, inst: Installation, args: list[str]) -> None:
        with open(self.dir / f"setup-{inst.name}.log", "ab") as output:
            subprocess.run(self._qlvb(args), cwd=self.src, env=inst.env, check=True, stdout=output,
                           stderr=subprocess.STDOUT)

    def _pki_and_hub_secrets(self, a: Installation, b: Installation) -> None:
        """Both demo PKIs; B trusts A's root; the simulator's systems, B's secret from A's var/hub."""
        from config.settings import Settings
        from devservers.hub.systems import demo_systems
        from models.signing import demo_pki, pki

        settings = {}
        for inst in (a, b):
            settings[inst.name] = Settings(var_dir=inst.var_dir)
            demo_pki.ensure_demo_pki(settings[inst.name])
        trust = pki.trust_dir(settings["b"])
        trust.mkdir(parents=True, exist_ok=True)
        (trust / "qlvb-a-root-ca.pem").write_bytes(pki.trust_anchors_pem(settings["a"]))
        systems = demo_systems(settings["a"])  # A's var/hub/systems.json: qlvb-dev and bnv-dev
        b.env["QLVB_HUB_SECRET"] = next(s.secret for s in systems if s.system_id == MINISTRY_SYSTEM)

    def _qlvb_proc(self, name: str, kind: str, inst: Installation, args: list[str], port: int | None = None) -> Proc:
        proc = Proc(name, kind, self._qlvb(args), inst.env, self.dir / f"{name}.log", port, cwd=self.src)
        self.procs[name] = proc
        return proc

    def _start(self, proc: Proc, timeout: float = 90.0) -> None:
        proc.start()
        if not proc.ready(timeout):
            raise RuntimeError(f"{proc.name} did not start; see {proc.log}")

    # --- restarts ---------------------------------------------------------------------------

    def restart(self, proc: Proc) -> None:
        """Start a stopped process again (PostgreSQL may refuse while old backends linger: retried)."""
        for _attempt in range(60):
            proc.start()
            if proc.kind in ("web", "worker"):
                return  # they come up on their own time; the watchdog restarts one that gives up
            if proc.ready(60):
                return
            proc.stop(signal.SIGKILL) if proc.alive() else None
            time.sleep(1)
        raise RuntimeError(f"{proc.name} could not be restarted; see {proc.log}")

    def watch(self) -> None:
        """Restart any process that stopped on its own (a worker started while Temporal was down…)."""
        self._watching = True

        def loop() -> None:
            while self._watching:
                for proc in list(self.procs.values()):
                    with proc.lock:
                        if self._watching and not proc.down_until_restart and not proc.alive():
                            self.unplanned_exits[proc.name] = self.unplanned_exits.get(proc.name, 0) + 1
                            time.sleep(1.0)
                            try:
                                self.restart(proc)
                            except Exception as error:  # noqa: BLE001 - tried again next turn
                                self.say(f"restart of {proc.name} failed: {error}")
                time.sleep(0.5)

        self._watchdog = threading.Thread(target=loop, name="watchdog", daemon=True)
        self._watchdog.start()

    def unwatch(self) -> None:
        self._watching = False
        if self._watchdog:
            self._watchdog.join(timeout=120)

    def all_up(self, timeout: float = 120.0) -> bool:
        """Every process runs and every server answers on its port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(p.alive() and (p.port is None or port_open(p.port)) for p in self.procs.values()):
                return True
            time.sleep(0.5)
        return False

    def shutdown(self) -> None:
        """Stop everything: web, worker and hub first, then Temporal, then PostgreSQL."""
        self.unwatch()
        for inst in self.installations.values():
            if inst.engine is not None:
                inst.engine.dispose()
        order = ["web-a", "web-b", "worker-a", "worker-b", "hub", "temporal", "postgres"]
        for name in order:
            proc = self.procs.get(name)
            if proc is not None and proc.alive():
                proc.stop(signal.SIGTERM)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def describe(self) -> str:
        return json.dumps({n: p.port for n, p in self.procs.items()})
