"""``qlvb web --workers N`` and the connection pools the web app and the worker size for themselves."""

from __future__ import annotations

import asyncio

import pytest
import uvicorn

import cli
import worker
from app import create_app
from config.settings import Settings, get_settings
from models.db import DEFAULT_POOL, WEB_THREADS, PoolSize, make_engine

POSTGRES = "postgresql+psycopg://qlvb@127.0.0.1:1/qlvb"  # never connected to: engines connect lazily


@pytest.fixture
def started(monkeypatch, var_dir):
    """What ``qlvb web`` asked uvicorn for, instead of serving."""
    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    # Set, then removed: monkeypatch then restores the original (``qlvb web`` sets it in os.environ).
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    monkeypatch.delenv("QLVB_WEB_WORKERS", raising=False)
    return calls


def test_one_process_by_default(started, monkeypatch):
    import os

    assert cli.main(["web"]) == 0
    [(args, kwargs)] = started
    assert args == ("app:create_app",) and kwargs["factory"] is True
    assert kwargs["workers"] == 1 and kwargs["server_header"] is False
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


def test_workers_start_the_factory_in_each_process_and_share_the_latency_histogram(started, var_dir, monkeypatch):
    import os

    stale = var_dir / "metrics" / "web-8000" / "histogram_4242.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"a process of the last run")
    monkeypatch.setenv("QLVB_WEB_PORT", "8000")
    get_settings.cache_clear()
    assert cli.main(["web", "--workers", "3"]) == 0
    [(args, kwargs)] = started
    assert args == ("app:create_app",) and kwargs["factory"] is True and kwargs["workers"] == 3
    # prometheus-client's multiprocess mode: one directory for the processes, emptied before they start.
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(var_dir / "metrics" / "web-8000")
    assert not stale.exists()


def test_the_setting_gives_the_number_and_the_option_overrides_it(started, monkeypatch, tmp_path):
    import os

    monkeypatch.setenv("QLVB_WEB_WORKERS", "4")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "operator"))  # the operator's own: kept
    get_settings.cache_clear()
    assert cli.main(["web"]) == 0
    assert cli.main(["web", "--workers", "2"]) == 0
    assert [kwargs["workers"] for _args, kwargs in started] == [4, 2]
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "operator")


@pytest.mark.parametrize("value", ["0", "-1", "hai"])
def test_a_number_of_processes_that_is_not_positive_is_refused(started, capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["web", "--workers", value])
    assert exit_info.value.code == 2
    assert f"«{value}» không phải số nguyên dương" in capsys.readouterr().err
    assert started == []


def test_a_pool_is_sized_so_no_thread_waits_for_a_connection():
    assert PoolSize.for_threads(WEB_THREADS) == PoolSize(10, 70)  # 40 threads × 2 connections
    assert PoolSize.for_threads(worker.ACTIVITY_THREADS) == PoolSize(8, 8)
    assert PoolSize.for_threads(40).most == 80
    assert PoolSize.for_threads(40, size=20) == PoolSize(20, 60)
    assert PoolSize.for_threads(40, overflow=0, timeout=5) == PoolSize(10, 0, 5)


def _pool_of(engine) -> PoolSize:
    pool = engine.pool
    return PoolSize(pool.size(), pool._max_overflow, pool._timeout)


def test_make_engine_gives_postgresql_the_pool_asked_for():
    engine = make_engine(POSTGRES, pool=PoolSize(3, 4, 7.5))
    assert _pool_of(engine) == PoolSize(3, 4, 7.5)
    assert _pool_of(make_engine(POSTGRES)) == DEFAULT_POOL


async def test_the_web_app_sizes_its_pool_from_its_threads_or_the_settings(tmp_path):
    async def pool_with(**values) -> PoolSize:
        app = create_app(Settings(var_dir=tmp_path, database_url=POSTGRES, **values), client=object())
        async with app.router.lifespan_context(app):
            return _pool_of(app.state.qlvb.engine)

    assert await pool_with() == PoolSize(10, 70, 30)
    assert await pool_with(db_pool_size=4, db_max_overflow=6, db_pool_timeout=2) == PoolSize(4, 6, 2)


def test_the_worker_sizes_its_pool_from_its_activity_threads(monkeypatch, tmp_path):
    built = []

    class Stop(Exception):
        pass

    async def refuse(*_args, **_kwargs):
        raise Stop

    monkeypatch.setattr(worker, "make_engine", lambda url, pool: built.append(pool) or make_engine(url, pool=pool))
    monkeypatch.setattr(worker, "connect", refuse)
    for values, expected in (({}, PoolSize(8, 8)), ({"db_max_overflow": 2}, PoolSize(8, 2))):
        with pytest.raises(Stop):
            asyncio.run(worker.run_worker(Settings(var_dir=tmp_path, database_url=POSTGRES, worker_metrics_address="",
                                                     **values)))
        assert built.pop() == expected


def test_qlvb_run_names_the_database_it_uses_without_its_password(tmp_path):
    from devservers.launcher import database_label

    assert database_label(Settings(var_dir=tmp_path)) == f"SQLite {tmp_path / 'qlvb.db'}"
    label = database_label(Settings(var_dir=tmp_path, database_url="postgres://qlvb:bí-mật@db:5432/qlvb"))
    assert label == "PostgreSQL postgresql://qlvb:***@db:5432/qlvb"
