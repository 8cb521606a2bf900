"""Small factories and pollers shared by the test tiers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client

from commands.intake import receive_upload
from commands.people import create_person
from config.settings import Settings
from models.db import transaction
from models.documents.file_store import FileStore
from models.org.repo import get_by_username, roles_of
from models.org.tables import User
from models.vocab import Role
from worker import build_worker


def sample_metadata(**overrides: Any) -> dict:
    """Metadata of a typical incoming công văn; override any field."""
    values = {
        "code_number": "125",
        "code_notation": "STC-NS",
        "issued_date": "2026-11-20",
        "organ_name": "Sở Tài chính tỉnh Hà Nam",
        "organ_id": "000.00.03.H23",
        "type_name": "Công văn",
        "subject": "V/v hướng dẫn lập dự toán ngân sách năm 2027",
        "signer_full_name": "Bùi Đức Long",
        "signer_position": "Giám đốc Sở",
        "priority": "thuong",
    }
    values.update(overrides)
    return values


def user_and_roles(engine: Engine, username: str) -> tuple[User, set[Role]]:
    """Load a demo user and their roles."""
    with transaction(engine) as session:
        user = get_by_username(session, username)
        return user, roles_of(session, user.id)


def actor_of(engine: Engine, username: str) -> dict:
    """The ``actor_id`` and ``roles`` a command is called with, for a person of the seed."""
    user, roles = user_and_roles(engine, username)
    return {"actor_id": user.id, "roles": roles}


def agency_admin(engine: Engine, code: str = "000.00.02.H23", username: str = "admin.snv") -> dict:
    """The province's administrator makes an administrator of one agency (Sở Nội vụ by default);
    the new administrator as ``actor_of`` gives them."""
    create_person(engine, **actor_of(engine, "admin"), username=username, full_name="Quản trị Sở", agency_code=code,
                  position="Quản trị viên", unit_abbreviation=None, account_roles=["quan_tri"])
    return actor_of(engine, username)


def make_settings(tmp_path: Path, task_queue: str) -> Settings:
    """Settings pointing at temporary storage and a per-test task queue."""
    return Settings(var_dir=tmp_path, temporal_task_queue=task_queue, upload_max_bytes=2 * 1024 * 1024)


async def upload(engine: Engine, client: Client, settings: Settings, pdf: bytes, **metadata: Any):
    """Receive a PDF as the demo văn thư."""
    clerk, roles = user_and_roles(engine, "vanthu")
    return await receive_upload(engine, client, settings, FileStore(settings.files_dir), clerk=clerk,
                                roles=roles, raw_metadata=sample_metadata(**metadata), data=pdf,
                                filename="cv.pdf")


@asynccontextmanager
async def running_worker(client: Client, engine: Engine, settings: Settings, hub_factory=None):
    """Run a real worker with the real activities (on the settings' storage and task queue)."""
    with ThreadPoolExecutor(max_workers=8) as executor:
        worker = build_worker(client, engine, settings, executor, hub_factory)
        async with worker:
            yield worker


async def eventually(check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.1) -> Any:
    """Poll ``check`` until it returns a truthy value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def eventually_async(check, timeout: float = 15.0, interval: float = 0.1) -> Any:
    """Like ``eventually`` for a coroutine function."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


def rows(engine: Engine, model, *conditions) -> list:
    """Read rows of a model in a fresh transaction."""
    with transaction(engine) as session:
        return list(session.exec(select(model).where(*conditions)))
