"""Push notifications on this device: the account page's section and the browser's JSON calls.

``/account/notifications`` turns pushes of urgent documents on or off for the browser in use
(``static/push.js`` asks the browser for a subscription made with ``/push/public-key``, then posts
it here) and lists the person's other devices, each of which can be turned off from here (a lost
phone). The JSON calls carry the session's CSRF token in ``X-CSRF-Token``, as htmx does.

``/push/renew`` is the service worker's call (``static/sw.js``) when the browser renewed a
subscription by itself (``pushsubscriptionchange``). A service worker cannot read a page's CSRF
token, so instead the call needs the signed-in session cookie, comes from this site (never
``Sec-Fetch-Site: cross-site``) and proves the old subscription with its endpoint and auth secret,
which only that browser knows (``commands.push.renew``).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from commands import push as push_commands
from models.bounds import Id
from models.errors import DomainError
from models.push import repo as push_repo
from models.push import vapid
from models.push.rules import service_of
from web import flash
from web.csrf import CsrfFailed
from web.deps import CsrfChecked, DbSession, State, WebUser
from web.htmx import render
from web.idempotency import IdempotentRoute
from web.labels import PUSH_SERVICE_LABELS
from web.messages import message_of, status_of

router = APIRouter(route_class=IdempotentRoute)
PAGE = "/account/notifications"


def _refused(error: DomainError, status: int | None = None) -> JSONResponse:
    return JSONResponse({"detail": message_of(error), "code": error.code}, status_code=status or status_of(error))


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise DomainError("push_subscription_invalid")
    return body


@router.get(PAGE)
def notifications_settings(request: Request, principal: WebUser, state: State, session: DbSession) -> Response:
    devices = [(device, PUSH_SERVICE_LABELS.get(service_of(device.endpoint, state.settings.push_services) or "",
                                                "Trình duyệt khác"))
               for device in push_repo.active_for(session, principal.user.id)]
    return render(request, "push/notifications.html", devices=devices, enabled=state.settings.push_enabled)


@router.get("/push/public-key")
def public_key(principal: WebUser, state: State) -> Response:
    """The installation's VAPID public key, which the browser's subscription is made for."""
    if not state.settings.push_enabled:
        return _refused(DomainError("push_disabled"), 404)
    return JSONResponse({"publicKey": vapid.application_server_key(state.settings)})


@router.post(f"{PAGE}/subscribe")
async def subscribe(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    try:
        changed = push_commands.subscribe(state.engine, state.settings, principal.user.id, await _json_object(request))
    except DomainError as error:
        return _refused(error)
    return JSONResponse({"enabled": True, "changed": changed})


@router.post(f"{PAGE}/unsubscribe")
async def unsubscribe(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    try:
        changed = push_commands.unsubscribe(state.engine, principal.user.id, await _json_object(request))
    except DomainError as error:
        return _refused(error)
    return JSONResponse({"enabled": False, "changed": changed})


@router.post("/push/renew")
async def renew(request: Request, principal: WebUser, state: State) -> Response:
    """The browser renewed this device's subscription: the service worker reports the new one with
    the old one's proof (no CSRF token: see the module docstring)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return _refused(CsrfFailed())
    try:
        push_commands.renew(state.engine, state.settings, principal.user.id, await _json_object(request))
    except DomainError as error:
        return _refused(error)
    return JSONResponse({"renewed": True})


@router.post(PAGE + "/devices/{subscription_id}/off")
def device_off(request: Request, subscription_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    """Turn pushes off for one of the person's devices (a plain form: works without script)."""
    push_commands.turn_off_device(state.engine, principal.user.id, subscription_id)
    return flash.done(request, PAGE, "Đã tắt thông báo trên thiết bị đã chọn.")
