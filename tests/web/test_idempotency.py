"""Idempotency-Key: a retried create takes effect once, whatever happened to the first answer."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from pathlib import Path

import pytest
from sqlalchemy import update

from commands import idempotency as claims
from models.db import transaction
from models.documents.tables import Document
from models.idempotency.tables import ClaimState, IdempotentRequest
from tests.conftest import minimal_pdf
from tests.helpers import rows, sample_metadata
from tests.web.conftest import api_token, browser_login


async def _upload(web, headers, key=None, pdf=None, **metadata):
    if key is not None:
        headers = {**headers, "Idempotency-Key": key}
    files = {"file": ("cv.pdf", pdf if pdf is not None else minimal_pdf(), "application/pdf")}
    return await web.post("/api/v1/incoming", headers=headers, files=files,
                          data={"metadata": json.dumps(sample_metadata(**metadata), ensure_ascii=False)})


def _incoming(web) -> list[Document]:
    return [d for d in rows(web.engine, Document) if d.direction == "incoming"]


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing(web):
    clerk = await api_token(web, "vanthu")
    first = await _upload(web, clerk, key='"upload-0001"')
    assert first.status_code == 201, first.text
    # httpx draws a new multipart boundary for each request: the bytes differ, the request does not.
    again = await _upload(web, clerk, key="upload-0001")
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len(_incoming(web)) == 1


async def test_the_same_key_for_another_request_is_refused_and_changes_nothing(web):
    clerk = await api_token(web, "vanthu")
    assert (await _upload(web, clerk, key="k-1", subject="Về kế hoạch A")).status_code == 201
    other = await _upload(web, clerk, key="k-1", subject="Về kế hoạch B")
    assert other.status_code == 422
    assert "đã được dùng cho một yêu cầu khác" in other.json()["detail"]
    assert [d.subject for d in _incoming(web)] == ["Về kế hoạch A"]


@pytest.mark.parametrize("key", ["", "x" * 256, "khóa-có-dấu".encode(), "two words"])
async def test_a_malformed_key_is_refused_in_vietnamese(web, key):
    clerk = await api_token(web, "vanthu")
    refused = await _upload(web, clerk, key=key)
    assert refused.status_code == 400
    assert "Idempotency-Key" in refused.json()["detail"]
    assert _incoming(web) == []


async def test_keys_belong_to_one_person(web):
    """Two people who happen to choose the same key each get their own document."""
    clerk = await api_token(web, "vanthu")
    other_clerk = await api_token(web, "vanthu.snv")
    a = await _upload(web, clerk, key="shared-key")
    b = await _upload(web, other_clerk, key="shared-key")
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    assert "idempotent-replayed" not in b.headers


async def test_a_refused_request_frees_its_key_for_the_corrected_one(web):
    clerk = await api_token(web, "vanthu")
    refused = await _upload(web, clerk, key="fix-me", subject="")
    assert refused.status_code == 422
    # Same key, same (bad) request: refused again, not answered from memory of a success.
    assert (await _upload(web, clerk, key="fix-me", subject="")).status_code == 422
    assert _incoming(web) == []


async def test_an_answer_lost_after_the_commit_is_rebuilt_not_run_again(web, monkeypatch):
    """The web process dies between its commit and its answer: the retry must not create twice."""
    import web.api as api_routes

    real_created = api_routes._created
    calls = {"n": 0}

    def dies_after_commit(state, document):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionAbortedError("process died before answering")
        return real_created(state, document)

    monkeypatch.setattr(api_routes, "_created", dies_after_commit)
    clerk = await api_token(web, "vanthu")
    assert (await _upload(web, clerk, key="lost-answer")).status_code == 500  # the client got no answer
    [stored] = rows(web.engine, IdempotentRequest)
    assert stored.state == ClaimState.TOOK_EFFECT and stored.subject_type == "document"

    retry = await _upload(web, clerk, key="lost-answer")
    assert retry.status_code == 201, retry.text
    assert retry.headers["idempotent-replayed"] == "true"
    [document] = _incoming(web)
    assert retry.json()["id"] == document.id == stored.subject_id


async def test_a_claim_left_by_a_dead_process_is_taken_over_at_once(web, monkeypatch):
    """Killed before its commit: nothing happened, so the retry runs, without waiting for a lease."""
    import commands.intake as intake

    real_receive = intake.receive_upload

    async def killed_before_commit(*args, **kwargs):
        raise ConnectionAbortedError("kill -9 before the commit")

    dead = f"{socket.gethostname()}:999999999:1"  # no such process on this machine
    monkeypatch.setattr(claims, "this_process", lambda: dead)
    monkeypatch.setattr(claims, "abandon", lambda engine, begun: None)  # a killed process cleans nothing
    monkeypatch.setattr(intake, "receive_upload", killed_before_commit)
    clerk = await api_token(web, "vanthu")
    assert (await _upload(web, clerk, key="dead-holder")).status_code == 500
    [stored] = rows(web.engine, IdempotentRequest)
    assert (stored.state, stored.holder) == (ClaimState.STARTED, dead)

    monkeypatch.undo()
    assert intake.receive_upload is real_receive
    retry = await _upload(web, clerk, key="dead-holder")
    assert retry.status_code == 201, retry.text
    assert "idempotent-replayed" not in retry.headers  # it ran, once
    assert len(_incoming(web)) == 1


async def test_a_claim_held_by_a_live_attempt_makes_the_retry_wait_then_409(web, monkeypatch):
    import web.idempotency as idempotency

    monkeypatch.setattr(idempotency, "WAIT_FOR_EARLIER_ATTEMPT", 0.5)
    clerk = await api_token(web, "vanthu")
    assert (await _upload(web, clerk, key="busy")).status_code == 201
    with transaction(web.engine) as session:  # this very process still "runs" the first attempt
        session.execute(update(IdempotentRequest).values(state=ClaimState.STARTED, holder=claims.this_process()))
    busy = await _upload(web, clerk, key="busy")
    assert busy.status_code == 409
    assert "đang được xử lý" in busy.json()["detail"]
    assert len(_incoming(web)) == 1


async def test_two_simultaneous_sendings_create_one_document(web):
    clerk = await api_token(web, "vanthu")
    answers = await asyncio.gather(*[_upload(web, clerk, key="double-click") for _ in range(3)])
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(_incoming(web)) == 1


async def test_a_rendered_form_sent_twice_registers_once(web):
    csrf = await browser_login(web, "vanthu")
    form = await web.get("/documents/new")
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.text).group(1)
    fields = {"csrf_token": csrf, "idempotency_key": key, "code_number": "45", "code_notation": "SYT-KH",
              "issued_date": "2026-11-02", "organ_name": "Sở Y tế", "type_name": "Kế hoạch",
              "subject": "Kế hoạch tiêm chủng mở rộng năm 2027", "priority": "khan"}
    first = await web.post("/documents/new", data=fields, files={"file": ("kh.pdf", minimal_pdf(3), "application/pdf")})
    again = await web.post("/documents/new", data=fields, files={"file": ("kh.pdf", minimal_pdf(3), "application/pdf")})
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert len(_incoming(web)) == 1
    # A new render carries a new key: a deliberate second registration is still possible.
    second_form = await web.get("/documents/new")
    assert re.search(r'name="idempotency_key" value="([0-9a-f]+)"', second_form.text).group(1) != key


async def test_a_decision_retried_with_its_key_returns_the_first_outcome(web):
    from tests.helpers import eventually_async

    clerk = await api_token(web, "vanthu")
    created = await _upload(web, clerk)
    document_id = created.json()["id"]
    leader = await api_token(web, "lanhdao")

    async def task():
        tasks = (await web.get("/api/v1/tasks?scope=unit", headers=leader)).json()
        return next((t for t in tasks if t["document_id"] == document_id), None)
    found = await eventually_async(task)
    decide = {"action": "luu_tham_khao", "fields": {}}
    headers = {**leader, "Idempotency-Key": "decide-once"}
    first = await web.post(f"/api/v1/tasks/{found['id']}/actions", headers=headers, json=decide)
    again = await web.post(f"/api/v1/tasks/{found['id']}/actions", headers=headers, json=decide)
    assert first.status_code == 200, first.text
    assert again.status_code == 200 and again.json() == first.json()


async def test_drafts_comments_and_submissions_retried_with_their_keys_act_once(web):
    from models.outgoing.tables import DraftComment
    from tests.web.test_api_outgoing import draft_metadata

    drafter = await api_token(web, "chuyenvien")
    metadata = {"metadata": json.dumps(draft_metadata(web.engine))}
    created = [await web.post("/api/v1/outgoing", headers={**drafter, "Idempotency-Key": "draft-1"}, data=metadata)
               for _ in range(2)]
    assert [c.status_code for c in created] == [201, 201]
    document_id = created[0].json()["id"]
    assert created[1].json()["id"] == document_id
    assert len([d for d in rows(web.engine, Document) if d.direction == "outgoing"]) == 1

    comment = {"body": "Đề nghị rà soát lại căn cứ pháp lý."}
    for _ in range(2):
        answer = await web.post(f"/api/v1/outgoing/{document_id}/comments",
                                headers={**drafter, "Idempotency-Key": "comment-1"}, json=comment)
        assert answer.status_code == 201
    assert len(rows(web.engine, DraftComment)) == 1

    submitted = [await web.post(f"/api/v1/outgoing/{document_id}/submit",
                                headers={**drafter, "Idempotency-Key": "submit-1"}, json={}) for _ in range(2)]
    assert [s.status_code for s in submitted] == [200, 200]
    assert submitted[1].json() == submitted[0].json()


def test_every_route_that_changes_something_honours_the_key():
    """New POST routes join an IdempotentRoute router; only the login forms stand outside."""
    from app import create_app
    from tests.helpers import make_settings
    from tests.routes import post_routes
    from web.idempotency import IdempotentRoute

    app = create_app(make_settings(Path("/nonexistent"), "q"), engine=None, client=None)
    posts = post_routes(app)
    assert len(posts) > 100  # the walk reached the included routers' routes
    outside = sorted(route.path for route in posts if not isinstance(route, IdempotentRoute))
    # /flash/dismiss only clears the person's own result-message cookie: doing it twice is harmless.
    assert all(path.startswith(("/login", "/logout", "/account/", "/api/v1/auth/", "/dev/")) or path == "/flash/dismiss"
               for path in outside), outside


async def test_the_form_s_suggestions_leave_its_key_for_the_submission(web):
    """The intake form posts its fields, key included, for suggestions while the person types."""
    csrf = await browser_login(web, "vanthu")
    form = await web.get("/documents/new")
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.text).group(1)
    pdf = ("kh.pdf", minimal_pdf(2), "application/pdf")
    suggested = await web.post("/documents/suggest", data={"csrf_token": csrf, "idempotency_key": key},
                               files={"file": pdf}, headers={"HX-Request": "true"})
    assert suggested.status_code == 200
    fields = {"csrf_token": csrf, "idempotency_key": key, "code_number": "46", "code_notation": "SYT-KH",
              "issued_date": "2026-11-02", "organ_name": "Sở Y tế", "type_name": "Kế hoạch",
              "subject": "Kế hoạch phòng chống dịch năm 2027", "priority": "thuong"}
    submitted = await web.post("/documents/new", data=fields, files={"file": pdf})
    assert submitted.status_code == 303, submitted.text
    assert len(_incoming(web)) == 1
