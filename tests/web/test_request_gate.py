"""A burst larger than the connection pool waits its turn instead of failing (web/admission.py).

The document page holds two connections (its read, and the record of the view written beside it),
so threads that each took one waited for one another's second until the pool gave up. The app
admits as many requests as its pool serves; here a pool of two connections admits one request
at a time, and thirty simultaneous document reads all answer.
"""

from __future__ import annotations

import asyncio

import httpx

from app import create_app
from models.db import PoolSize, make_engine
from tests.conftest import minimal_pdf
from tests.helpers import make_settings
from tests.web.conftest import api_token
from tests.web.test_api_incoming import _post_incoming
from web.admission import RequestGate, admitted_at_once


async def test_a_burst_beyond_the_pool_waits_its_turn_and_every_request_answers(web, tmp_path):
    clerk = await api_token(web, "vanthu")
    created = await _post_incoming(web, clerk, pdf=minimal_pdf())
    assert created.status_code == 201, created.text
    document_id = created.json()["id"]

    small = PoolSize(2, 0, timeout=3)  # a stall fails within 3 s instead of the production 30
    settings = make_settings(tmp_path, "unused").model_copy(
        update={"db_pool_size": small.size, "db_max_overflow": small.overflow, "db_pool_timeout": small.timeout})
    engine = make_engine(str(web.engine.url), pool=small)
    app = create_app(settings, engine=engine, client=web.app.state.qlvb.client)
    assert [m.kwargs["limit"] for m in app.user_middleware if m.cls is RequestGate] == [1]
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as other:
                answers = await asyncio.gather(*[other.get(f"/api/v1/documents/{document_id}", headers=clerk)
                                                 for _ in range(30)])
    finally:
        engine.dispose()
    assert [a.status_code for a in answers] == [200] * 30
    assert {a.json()["id"] for a in answers} == {document_id}


def test_the_gate_admits_what_the_pool_serves_without_waiting():
    assert admitted_at_once(PoolSize.for_threads(40)) == 40  # 10 + 70 connections, two a request
    assert admitted_at_once(PoolSize(10, 20)) == 15
    assert admitted_at_once(PoolSize(1, 0)) == 1
