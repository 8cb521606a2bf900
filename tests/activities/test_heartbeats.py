"""Long single calls in sync activities heartbeat from a background thread while they run."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from datetime import timedelta

from temporalio.testing import ActivityEnvironment

from activities.cancellation import heartbeating, heartbeating_async


def test_a_long_call_heartbeats_while_it_runs_and_the_beat_stops_after():
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, heartbeat_timeout=timedelta(seconds=4))  # a beat a second
    beats: list[tuple] = []
    enough = threading.Event()

    def on_heartbeat(*details):
        beats.append(details)
        if len(beats) >= 3:
            enough.set()

    env.on_heartbeat = on_heartbeat

    def long_call() -> bool:
        with heartbeating(2, 5):
            # The call itself never heartbeats: only the background thread can make beats arrive.
            return enough.wait(timeout=60)

    assert env.run(long_call), "no background heartbeats while the call ran"
    assert set(beats) == {(2, 5)}
    assert not [t for t in threading.enumerate() if t.name.startswith("heartbeat-") and t.is_alive()]


def test_outside_an_activity_it_only_runs_the_call():
    with heartbeating("check"):
        ran = True
    assert ran


async def test_an_async_activity_beats_while_it_awaits_and_stops_after():
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, heartbeat_timeout=timedelta(seconds=4))
    beats: list[tuple] = []
    enough = asyncio.Event()

    def on_heartbeat(*details):
        beats.append(details)
        if len(beats) >= 3:
            enough.set()

    env.on_heartbeat = on_heartbeat

    async def long_await() -> None:
        async with heartbeating_async("send"):
            await asyncio.wait_for(enough.wait(), timeout=60)

    tasks_before = len(asyncio.all_tasks())
    await env.run(long_await)
    assert set(beats) == {("send",)}
    await asyncio.sleep(0)  # the cancelled beat task finishes
    assert len(asyncio.all_tasks()) == tasks_before
