"""A worker stopped (SIGTERM, graceful shutdown) in the middle of a long activity falsifies nothing.

Temporal cancels a thread-pool activity by raising inside its thread, wherever it is. The
signature check once caught that as "the file is unreadable" and recorded a good PDF as invalid
for ever; now the attempt ends as cancelled and the next worker checks the file again.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlmodel import func, select

from models.db import transaction
from models.signing import demo_pki
from models.signing.tables import SignatureCheck, SignatureVerdict
from tests.activities.test_signature_check import sign
from tests.conftest import minimal_pdf
from tests.helpers import eventually, make_settings, running_worker, upload


@pytest.fixture
def slow_validation(monkeypatch):
    """pyHanko's validation made slow (in Python, so a cancellation lands inside it) until released."""
    import pyhanko.sign.validation as validation

    real = validation.validate_pdf_signature
    started, release = threading.Event(), threading.Event()

    def slow(*args, **kwargs):
        started.set()
        deadline = time.monotonic() + 20
        while not release.is_set() and time.monotonic() < deadline:
            time.sleep(0.02)
        return real(*args, **kwargs)

    monkeypatch.setattr(validation, "validate_pdf_signature", slow)
    return started, release


def _checks(engine, document_id: str) -> list[tuple[str, int]]:
    with transaction(engine) as session:
        verdicts = session.exec(select(SignatureCheck.verdict).where(SignatureCheck.document_id == document_id)).all()
        return [(v, len(verdicts)) for v in verdicts]


async def test_a_worker_stop_during_the_signature_check_is_retried_not_judged(
        seeded_sqlite, temporal_env, task_queue, tmp_path, slow_validation):
    engine, client = seeded_sqlite, temporal_env.client
    started, release = slow_validation
    settings = make_settings(tmp_path, task_queue).model_copy(update={"worker_graceful_shutdown_seconds": 0})
    demo_pki.ensure_demo_pki(settings)
    signed = await asyncio.to_thread(sign, minimal_pdf(1), settings)  # pyHanko's sync API: off the loop

    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, signed)
        assert await eventually(started.is_set)
    # The worker has shut down while the check was running: nothing may have been judged.
    assert _checks(engine, document.id) == []

    release.set()
    async with running_worker(client, engine, settings):
        checks = await eventually(lambda: _checks(engine, document.id), timeout=60)
    assert checks == [(SignatureVerdict.VALID, 1)]
    with transaction(engine) as session:
        assert session.exec(select(func.count()).select_from(SignatureCheck)).one() == 1
