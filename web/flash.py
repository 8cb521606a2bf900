"""What an action did, said on the next page until read; and which actions ask first.

After a state-changing form post the handler answers with ``done(request, target, text)``: a 303
to a GET page (or ``HX-Redirect`` for htmx), so refreshing the result page never re-sends the
request (Post/Redirect/Get), and the sentence travels in an encrypted cookie (AES-GCM: a message
may carry a one-time password, which nobody but the server reads from the cookie). ``base.html``
shows the cookie's messages at the top of every page, with role="status", until the person presses
"Đã đọc" (``POST /flash/dismiss``): a message is never lost to a reload or a fade-out.

Irreversible decisions are listed once in ``IRREVERSIBLE``; templates ask ``confirm_for(action,
document)`` for the sentence to put in ``hx-confirm`` (htmx forms) or ``data-confirm`` (plain
forms, asked by static/confirm.js). Without JavaScript the form posts directly (see
docs/architecture.md, "Confirmations and result messages").
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from commands.auth import device_key
from models.db import reading
from models.documents.tables import Document
from models.registers.numbering import so_ky_hieu
from models.tasks.actions import ACTIONS
from models.vocab import Action
from web.deps import CsrfChecked

COOKIE = "qlvb_flash"
ONCE_COOKIE = "qlvb_once"
KEPT = 5  # older messages give way: a cookie stays small

# The decisions that cannot be taken back: finishing (and filing for reference, which ends the
# document's handling as well), issuing, signing, returning, recalling, approving what is then
# published, closing and destroying. A new irreversible action is added here.
IRREVERSIBLE = frozenset({
    Action.FINISH, Action.FILE_FOR_REFERENCE, Action.ISSUE, Action.SIGN, Action.RETURN_TO_SENDER, Action.SEND_BACK,
    Action.AGREE_TO_RECALL, Action.REFUSE_RECALL, Action.RETURN_RESULT, Action.APPROVE_PLAN,
    Action.SEND_BACK_PLAN, Action.CLOSE_RECORD, Action.RETURN_RECORD, Action.DISPOSE_RECORD,
    Action.APPROVE_SCHEDULE, Action.RETURN_SCHEDULE,
})
UNDOABLE = "Thao tác không hoàn tác được."

router = APIRouter()


def document_words(document: Document | None) -> str:
    """How a sentence names a document: its số/ký hiệu, else its trích yếu, else nothing."""
    if document is None:
        return ""
    if document.code_number:
        return f"số {so_ky_hieu(document.code_number, document.code_notation)}"
    if document.subject:
        subject = document.subject if len(document.subject) <= 80 else document.subject[:79] + "…"
        return f"“{subject}”"
    return ""


def confirm_for(action: str, about: Document | str | None = None) -> str:
    """The question asked before an irreversible decision; empty for the others.

    ``about`` names what is decided on: a document (its số/ký hiệu or trích yếu) or a phrase
    such as "hồ sơ “Tuyển dụng 2026”".
    """
    if action not in IRREVERSIBLE:
        return ""
    label = ACTIONS[Action(action)].label
    if isinstance(about, str):
        named = about
    else:
        named = document_words(about)
        named = f"văn bản {named}" if named else ""
    return f"{label}{' ' + named if named else ''}? {UNDOABLE}"


def decision_said(action: str, document: Document | None, *, applied: bool) -> str:
    """The result message of a task decision."""
    spec = ACTIONS.get(Action(action)) if action in Action._value2member_map_ else None
    label = spec.label if spec else action
    named = document_words(document)
    where = f" văn bản {named}" if named else ""
    if applied:
        return f"Đã thực hiện “{label}”{where}."
    return f"Đã gửi quyết định “{label}”{where}; hệ thống đang ghi nhận, trang sẽ cập nhật sau ít giây."


def decision_message(engine, document_id: str, action: str, *, applied: bool) -> str:
    """``decision_said`` for a document read by id (sync: call it from a thread in async handlers)."""
    with reading(engine) as session:
        return decision_said(action, session.get(Document, document_id), applied=applied)


def recall_message(engine, document_id: str, asked: int) -> str:
    """The result message of a recall: which document, and how many recipients were asked."""
    with reading(engine) as session:
        named = document_words(session.get(Document, document_id))
    return f"Đã thu hồi văn bản{' ' + named if named else ''}; đã đề nghị {asked} nơi nhận trả lời."


def _key(request: Request) -> bytes:
    # Derived from the device-cookie secret, so no second secret has to be configured.
    return hashlib.sha256(b"qlvb-flash:" + device_key(request.app.state.qlvb.settings)).digest()


def _encode(value: object, key: bytes, cookie: str = COOKIE) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(value, ensure_ascii=False).encode(), cookie.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def _decode(request: Request, cookie: str) -> object:
    """A sealed cookie's value; None when absent, tampered or malformed."""
    try:
        sealed = base64.urlsafe_b64decode(request.cookies.get(cookie, "").encode())
        return json.loads(AESGCM(_key(request)).decrypt(sealed[:12], sealed[12:], cookie.encode()))
    except (ValueError, InvalidTag):
        return None


def messages(request: Request) -> list[str]:
    """The messages waiting for this browser; a tampered or malformed cookie counts as none."""
    decoded = _decode(request, COOKIE)
    return [str(item) for item in decoded if isinstance(item, str)] if isinstance(decoded, list) else []


def show_once(request: Request, response: Response, values: list[str]) -> Response:
    """Secrets the page after a redirect shows one time (new recovery codes): sealed like the
    messages, so the POST can redirect (Post/Redirect/Get) without putting them in the address."""
    # Ten minutes: enough to follow the redirect, not a secret left lying in the browser.
    response.set_cookie(ONCE_COOKIE, _encode(values, _key(request), ONCE_COOKIE), httponly=True, samesite="lax",
                        path="/", secure=request.url.scheme == "https", max_age=600)
    return response


def shown_once(request: Request) -> list[str]:
    """The secrets ``show_once`` left for this page; the page then calls ``forget_shown``."""
    decoded = _decode(request, ONCE_COOKIE)
    return [str(item) for item in decoded if isinstance(item, str)] if isinstance(decoded, list) else []


def forget(response: Response) -> Response:
    """Drop every message and secret waiting for this browser (at logout)."""
    response.delete_cookie(COOKIE, path="/")
    return forget_shown(response)


def forget_shown(response: Response) -> Response:
    """After the page showed them: a reload shows them no more."""
    response.delete_cookie(ONCE_COOKIE, path="/")
    return response


def add(request: Request, response: Response, text: str) -> Response:
    """Append ``text`` to the messages shown until read."""
    kept = (messages(request) + [text])[-KEPT:]
    # HttpOnly and SameSite: no script and no other site reads or plants a message; sent over
    # HTTPS only when the site is served so (a one-time password may be among the messages).
    response.set_cookie(COOKIE, _encode(kept, _key(request)), httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https")
    return response


def done(request: Request, target: str, text: str, *, trigger: str | None = "task-changed") -> Response:
    """The answer to a successful form post: go to ``target`` (303, or HX-Redirect) saying ``text``."""
    if request.headers.get("hx-request") == "true":
        headers = {"HX-Redirect": target}
        if trigger:
            headers["HX-Trigger"] = trigger  # counts refresh even if the redirect is slow
        response: Response = Response(status_code=204, headers=headers)
    else:
        response = RedirectResponse(target, status_code=303)
    return add(request, response, text)


def _local(path: str) -> str:
    """Only a path of this site: a dismissal never sends the person elsewhere."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return "/"
    return path


@router.post("/flash/dismiss")
async def dismiss(request: Request, _: CsrfChecked) -> Response:
    """The person has read the messages: forget them (htmx swaps the block away)."""
    if request.headers.get("hx-request") == "true":
        response: Response = Response(status_code=200, content="", media_type="text/html")
    else:
        form = await request.form()
        response = RedirectResponse(_local(str(form.get("back", "/"))), status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def register(env) -> None:
    """Make the helpers available to every template."""
    env.globals.update(confirm_for=confirm_for, flash_messages=messages)
