"""The Idempotency-Key header (IETF httpapi draft) on every route that changes something.

A client that retries a create after a timeout or a crash sends the same key with the same
request; it gets the first answer instead of a second document with its own số đến. The key is
the client's (header ``Idempotency-Key``; pages send the hidden field ``idempotency_key`` that each
rendered form carries), scoped to the signed-in person and remembered for a day:

* same key, same request, answered  → the stored answer again (``Idempotent-Replayed: true``);
* same key, same request, its change committed but its answer lost (the process died) → an answer
  rebuilt from what it did (the route's ``answers_retries_with``), never a second run;
* same key, still running elsewhere → wait a little, then 409;
* same key, different request → 422;
* a request that changed nothing (refused, failed, a read) frees its key: it may simply run again.

Routes opt in by belonging to a router built with ``route_class=IdempotentRoute``; requests
without a key behave as before.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from commands import idempotency as claims
from models import audit
from models.db import reading, watching_commits
from models.errors import Conflict, DomainError
from models.idempotency.tables import ClaimState, IdempotentRequest
from models.idempotency.watch import EffectWatcher
from models.org import repo as account_repo
from models.vocab import SessionKind
from web.deps import SESSION_COOKIE
from web.htmx import wants_fragment

HEADER = "idempotency-key"
FORM_FIELD = "idempotency_key"
MAX_KEY_LENGTH = 255
WAIT_FOR_EARLIER_ATTEMPT = 10.0  # seconds a retry waits for the attempt still running
KEPT_HEADERS = ("content-type", "location", "hx-redirect", "hx-refresh", "hx-trigger", "hx-retarget", "hx-reswap")
MAX_KEPT_BODY = 256 * 1024
# Fields that differ between two sendings of the same rendered form without changing the request.
NOT_PART_OF_REQUEST = {"csrf_token", FORM_FIELD}

Rebuild = Callable[[Request, IdempotentRequest], Any]
_REBUILD_ATTRIBUTE = "__qlvb_rebuild_answer__"
_CHANGES_NOTHING_ATTRIBUTE = "__qlvb_changes_nothing__"


def RUN_AGAIN(request: Request, stored: IdempotentRequest) -> None:  # noqa: N802 - a marker, named as a constant
    """Marker for ``answers_retries_with``: the route's command is itself idempotent on the key
    (a decision's nonce is the key), so a retry simply runs it again and gets its first outcome."""
    raise AssertionError("RUN_AGAIN is a marker, never called")


def answers_retries_with(rebuild: Rebuild) -> Callable:
    """Declare how a route answers a retry whose first attempt took effect but never answered.

    ``rebuild(request, stored)`` gets the claim with the audited subject of the change
    (``subject_id``, ``event_code``, ``event_data``) and returns the answer (a Response, or JSON
    data sent with the route's status code).
    """
    def mark(endpoint: Callable) -> Callable:
        setattr(endpoint, _REBUILD_ATTRIBUTE, rebuild)
        return endpoint
    return mark


def effect_data(request: Request, stored: IdempotentRequest, code: str) -> dict[str, Any]:
    """The data of audit event ``code`` that the first attempt wrote on its document (for rebuilds)."""
    if stored.event_code == code:
        return stored.event_data
    with reading(request.app.state.qlvb.engine) as session:
        event = audit.first_since(session, code, stored.subject_id, stored.created_at)
        return event.data if event else {}


def changes_nothing(endpoint: Callable) -> Callable:
    """Declare a POST route that only reads (a suggestion from an uploaded file, a duplicate check).

    It ignores the key it is sent: the intake form posts its fields, key included, to these routes
    while the person fills it in, and the key must stay free for the form's own submission.
    """
    setattr(endpoint, _CHANGES_NOTHING_ATTRIBUTE, True)
    return endpoint


def request_key(request: Request) -> str | None:
    """The key this request was sent with (kept on ``request.state`` by ``IdempotentRoute``)."""
    return getattr(request.state, "idempotency_key", None)


def parse_key(raw: str) -> str:
    """The key of an ``Idempotency-Key`` value: a structured-field string, quotes optional."""
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value or len(value) > MAX_KEY_LENGTH or any(not (0x20 < ord(c) < 0x7F) for c in value):
        raise DomainError("idempotency_key_invalid")
    return value


async def fingerprint(request: Request) -> str:
    """A digest of the request as the route reads it: the same form sent twice digests the same,
    whatever multipart boundary the client chose or the order of JSON keys."""
    digest = hashlib.sha256(f"{request.method} {request.url.path}?{sorted(request.query_params.multi_items())}".encode())
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        for name, value in form.multi_items():
            if name in NOT_PART_OF_REQUEST:
                continue
            if isinstance(value, UploadFile):
                digest.update(f"\0file\0{name}\0{value.filename or ''}\0".encode())
                digest.update((await _file_digest(value)).encode())
            else:
                digest.update(f"\0field\0{name}\0".encode() + str(value).encode())
        return digest.hexdigest()
    body = await request.body()
    if "json" in content_type:
        try:
            body = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False).encode()
        except (ValueError, RecursionError):
            pass  # the route will refuse it; the raw bytes still identify it
    digest.update(body)
    return digest.hexdigest()


async def _file_digest(upload: UploadFile) -> str:
    file_digest = hashlib.sha256()
    while chunk := await upload.read(1024 * 1024):
        await run_in_threadpool(file_digest.update, chunk)
    await upload.seek(0)
    return file_digest.hexdigest()


async def _key_of(request: Request) -> str | None:
    header = request.headers.get(HEADER)
    if header is not None:
        return parse_key(header)
    if request.headers.get("content-type", "").startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        value = (await request.form()).get(FORM_FIELD)
        if isinstance(value, str) and value:
            return parse_key(value)
    return None


def _person_of(request: Request) -> int | None:
    """Whose key it is: keys are scoped to the signed-in person (None: the route will refuse)."""
    state = request.app.state.qlvb
    if request.url.path.startswith("/api/"):
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token, kind = (token.strip() if scheme.lower() == "bearer" else ""), SessionKind.API
    else:
        token, kind = request.cookies.get(SESSION_COOKIE, ""), SessionKind.WEB
    if not token:
        return None
    with reading(state.engine) as session:
        return account_repo.live_session_user_id(session, token, kind)


def _stored_response(stored: IdempotentRequest) -> Response:
    headers = {**stored.response_headers, "Idempotent-Replayed": "true"}
    return Response(content=stored.response_body or b"", status_code=stored.response_status or 200, headers=headers)


def _kept(response: Response) -> tuple[dict[str, str], bytes | None]:
    headers = {name: value for name, value in response.headers.items() if name in KEPT_HEADERS}
    body = getattr(response, "body", None)
    if not isinstance(body, bytes) or len(body) > MAX_KEPT_BODY:
        return headers, None
    return headers, body


class IdempotentRoute(APIRoute):
    """An APIRoute whose POST requests honour ``Idempotency-Key``."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()
        rebuild: Rebuild | None = getattr(self.endpoint, _REBUILD_ATTRIBUTE, None)
        success_status = self.status_code or 200
        if getattr(self.endpoint, _CHANGES_NOTHING_ATTRIBUTE, False):
            return handler

        async def idempotent_handler(request: Request) -> Response:
            if request.method != "POST":
                return await handler(request)
            key = await _key_of(request)
            if key is None:
                return await handler(request)
            user_id = await run_in_threadpool(_person_of, request)
            if user_id is None:
                return await handler(request)  # not signed in: the route answers 401 itself
            request.state.idempotency_key = key
            digest_of_request = await fingerprint(request)
            started = await _begin(request, user_id, key, digest_of_request)
            if isinstance(started, claims.Replay):
                return await _replay(request, started.request, handler, rebuild, success_status)
            return await _run(request, started, handler)

        return idempotent_handler


async def _begin(request: Request, user_id: int, key: str, digest_of_request: str) -> claims.Begun | claims.Replay:
    engine = request.app.state.qlvb.engine
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_FOR_EARLIER_ATTEMPT
    while True:
        outcome = await run_in_threadpool(claims.begin, engine, user_id=user_id, key=key, method=request.method,
                                          path=request.url.path, fingerprint=digest_of_request)
        if not isinstance(outcome, claims.Busy):
            return outcome
        if loop.time() >= deadline:
            raise Conflict("idempotency_in_progress")
        await asyncio.sleep(0.2)


async def _run(request: Request, begun: claims.Begun, handler: Callable) -> Response:
    engine = request.app.state.qlvb.engine
    watcher = EffectWatcher(begun.request_id, begun.holder)
    try:
        with watching_commits(watcher):
            response = await handler(request)
    except BaseException:
        # Whatever the error, a change that committed stays marked (the watcher wrote it in the
        # change's transaction); only a claim that changed nothing is freed for the next attempt.
        await asyncio.shield(run_in_threadpool(claims.abandon, engine, begun))
        raise
    headers, body = _kept(response)
    await run_in_threadpool(claims.finish, engine, begun, took_effect=watcher.took_effect,
                            status=response.status_code, headers=headers, body=body)
    return response


async def _replay(request: Request, stored: IdempotentRequest, handler: Callable, rebuild: Rebuild | None,
                  success_status: int) -> Response:
    if stored.state == ClaimState.ANSWERED:
        return _stored_response(stored)
    # It took effect and its answer was lost: answer from what it did.
    if rebuild is None:
        return _answer_from_subject(request, stored)
    if rebuild is RUN_AGAIN:
        return await handler(request)
    answer = await run_in_threadpool(rebuild, request, stored)
    if isinstance(answer, Response):
        answer.headers["Idempotent-Replayed"] = "true"
        return answer
    return JSONResponse(answer, status_code=success_status, headers={"Idempotent-Replayed": "true"})


def _answer_from_subject(request: Request, stored: IdempotentRequest) -> Response:
    """The generic answer to a retry of a change that committed: where its document now stands."""
    headers = {"Idempotent-Replayed": "true"}
    if request.url.path.startswith("/api/"):
        return JSONResponse({"applied": True, "subject_type": stored.subject_type, "subject_id": stored.subject_id,
                             "event": stored.event_code}, headers=headers)
    target = f"/documents/{stored.subject_id}" if stored.subject_type == "document" else "/"
    if wants_fragment(request):
        return Response(status_code=204, headers={**headers, "HX-Redirect": target})
    return RedirectResponse(target, status_code=303, headers=headers)
