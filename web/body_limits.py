"""Bounds on request bodies that FastAPI would parse as JSON, enforced before anything parses them.

FastAPI reads a body parameter as JSON when the request says ``application/json`` (or
``*+json``) or says nothing at all; ``json.loads`` then recurses once per nesting level. This
middleware reads such bodies first, refusing one larger than ``max_bytes`` (413, as soon as the
declared length or the bytes received pass it) or nested deeper than ``max_depth`` (422, by a
flat scan: ``models.bounds.json_too_deep``), with a Vietnamese JSON answer; a body that passes is
handed on unchanged. Uploads (multipart) and forms are bounded elsewhere (``upload_max_bytes``).
JSON carried inside a form field is checked by its annotation, ``JsonFormText``.
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.bounds import MAX_JSON_DEPTH, json_too_deep, parse_int
from web.messages import MESSAGES

MAX_JSON_BODY_BYTES = 1024 * 1024
MAX_JSON_FIELD_CHARS = 256 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _json_form_text(value: str) -> str:
    if json_too_deep(value, MAX_JSON_DEPTH):
        raise PydanticCustomError("json_too_deep", "JSON nested too deeply")
    return value


# A form field holding a JSON document (e.g. an upload's ``metadata``): bounded in size and depth.
JsonFormText = Annotated[str, StringConstraints(max_length=MAX_JSON_FIELD_CHARS), AfterValidator(_json_form_text)]


def _is_json(content_type: str) -> bool:
    """Whether FastAPI would read a body of this content type as JSON (missing counts)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if not media:
        return True
    main, _, sub = media.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


class JsonBodyLimits:
    """ASGI middleware: size and nesting bounds on JSON request bodies (see the module docstring)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_JSON_BODY_BYTES, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        if not _is_json(headers.get("content-type", "")):
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length", "").strip()
        if declared and parse_int(declared, 0, self.max_bytes) is None:
            await self._refuse(send, 413, "json_too_large")
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send, 413, "json_too_large")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if json_too_deep(body, self.max_depth):
            await self._refuse(send, 422, "json_too_deep")
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send, status: int, code: str) -> None:
        detail = MESSAGES[code].format(limit=self.max_depth, limit_kb=self.max_bytes // 1024)
        payload = json.dumps({"detail": detail, "code": code, "errors": {}}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": payload})
