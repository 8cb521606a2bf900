"""A local stand-in for the national hub (VDXP): the API of EDXML.md §9.2 over its own SQLite file.

Development and tests talk to it exactly as to the real hub: the same operations, headers and
JSON answers, and every request authenticated with the HMAC scheme of §9.3 (401 otherwise). It
keeps its own database (``var/hub/hub.db`` by default; stdlib ``sqlite3``, never the QLVB
database): its tables and queries are ``devservers.hub.store`` (``HubStore``); this module holds
the HTTP routes over it (``create_app``).

Behaviour worth knowing when testing against it:

* a recipient code is resolved to a system directly, or through the directory's ``oldCode``;
  an unknown code refuses the whole send (nothing is stored);
* a send is idempotent per sender system on the ``idempotency-key`` parameter or, without one,
  on the content (``from``, recipients, message type, body digest): a retry returns the first
  ``DocId``;
* ``getReceivedEdocList`` lists a package until it is acknowledged, even after ``getEdoc``:
  delivery is at least once, so receivers must be idempotent (§9.5 step 3);
* the package's edXML is never parsed, so ``to`` is required and ``title``/``notation`` in
  ``getSentEdocList`` stay empty.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import unquote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from devservers.hub.store import DONE, FAIL, HubFailure, HubStore
from models.exchange.hub_auth import (
    DEFAULT_MAX_SKEW,
    SignatureError,
    VerifiedRequest,
    check_parameters,
    hash_file_matches,
    verify,
)

MESSAGE_TYPES = ("edoc", "status")


# --- the HTTP API ------------------------------------------------------------------------

def _ok(**content) -> dict:
    return {"status": "OK", "ErrorCode": "0", "ErrorDesc": "", **content}


def _fail(http_status: int, error_code: str, message: str) -> JSONResponse:
    return JSONResponse({"status": "FAIL", "ErrorCode": error_code, "ErrorDesc": message}, status_code=http_status)


LIST_PARAMS = {"servicetype", "messagetype"}


def create_app(store: HubStore, *, max_skew: timedelta = DEFAULT_MAX_SKEW) -> FastAPI:
    """The simulator's FastAPI app over ``store``; register systems on the store before serving."""
    app = FastAPI(title="Trục liên thông mô phỏng (VDXP)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store

    @app.exception_handler(HubFailure)
    async def _refused(request: Request, failure: HubFailure) -> JSONResponse:
        return _fail(failure.http_status, failure.error_code, failure.message)

    @app.exception_handler(SignatureError)
    async def _unauthenticated(request: Request, error: SignatureError) -> JSONResponse:
        status = 400 if error.code == "wrong_parameters" else 401
        return _fail(status, str(status), error.message)

    async def authenticate(request: Request, required: set[str], optional: set[str] = frozenset()) -> VerifiedRequest:
        signed = await run_in_threadpool(verify, request.headers, store.secret_for, now=store.clock(),
                                         max_skew=max_skew)
        check_parameters(signed, request.headers.keys(), required=required, optional=optional)
        return signed

    def message_type_of(signed: VerifiedRequest) -> str:
        message_type = signed.params.get("messagetype", "")
        if message_type not in MESSAGE_TYPES:
            raise HubFailure(400, "400", "Tham số messagetype phải là «edoc» hoặc «status».")
        return message_type

    @app.post("/sendEdoc")
    async def send_edoc(request: Request) -> dict:
        signed = await authenticate(request, {"from", "servicetype", "messagetype", "hash-file"},
                                    {"to", "idempotency-key"})
        body = await request.body()
        if not body:
            raise HubFailure(400, "400", "Gói tin rỗng.")
        if not hash_file_matches(body, signed.params["hash-file"]):
            raise HubFailure(400, "400", "hash-file không khớp nội dung gói tin (gói bị thay đổi trên đường truyền?).")
        from_code = signed.params["from"]
        if from_code not in await run_in_threadpool(store.organ_codes_of, signed.system_id):
            raise HubFailure(403, "403", f"Hệ thống «{signed.system_id}» không được gửi thay cơ quan «{from_code}».")
        to_codes = _recipients(signed.params.get("to"))
        doc_id = await run_in_threadpool(store.send, signed.system_id, from_code, to_codes, message_type_of(signed),
                                         signed.params["servicetype"], body, signed.params.get("idempotency-key"))
        return _ok(DocId=doc_id)

    @app.post("/getReceivedEdocList")
    async def received_list(request: Request) -> dict:
        signed = await authenticate(request, LIST_PARAMS)
        rows = await run_in_threadpool(store.waiting, signed.system_id, message_type_of(signed))
        return _ok(data=[{"docId": r["id"], "serviceType": r["service_type"], "messageType": r["message_type"],
                          "created_time": r["created_at"], "updated_time": r["updated_at"], "from": r["from_code"],
                          "to": r["to_code"], "status": r["state"], "status_desc": r["reason"]} for r in rows])

    async def count(request: Request) -> dict:
        signed = await authenticate(request, LIST_PARAMS)
        return _ok(count=len(await run_in_threadpool(store.waiting, signed.system_id, message_type_of(signed))))

    app.add_api_route("/countReceiveEdoc", count, methods=["GET"])
    app.add_api_route("/countReceiveStatus", count, methods=["GET"])

    @app.post("/getEdoc")
    async def get_edoc(request: Request) -> dict:
        signed = await authenticate(request, {"docId"})
        body = await run_in_threadpool(store.fetch, signed.system_id, signed.params["docId"])
        return _ok(data=base64.b64encode(body).decode("ascii"))

    @app.post("/downloadEdoc")
    async def download_edoc(request: Request) -> Response:
        signed = await authenticate(request, {"docId"})
        doc_id = signed.params["docId"]
        body = await run_in_threadpool(store.fetch, signed.system_id, doc_id)
        return Response(body, media_type="application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{doc_id}.edxml"'})

    @app.post("/updateStatus")
    async def update_status(request: Request) -> dict:
        signed = await authenticate(request, {"docid", "status"}, {"description"})
        status = signed.params["status"]
        if status not in (DONE, FAIL):
            raise HubFailure(400, "400", "Tham số status phải là «done» hoặc «fail».")
        reason = unquote(signed.params.get("description", ""))
        await run_in_threadpool(store.acknowledge, signed.system_id, signed.params["docid"], status, reason)
        return _ok()

    @app.post("/getSentEdocList")
    async def sent_list(request: Request) -> dict:
        signed = await authenticate(request, LIST_PARAMS)
        rows = await run_in_threadpool(store.sent, signed.system_id, message_type_of(signed))
        return _ok(data=[{
            "serviceType": r["service_type"], "senderDocId": r["package_id"], "receiverDocId": r["delivery_id"],
            "fromCode": r["from_code"], "toCode": r["to_code"],
            "sendStatus": DONE, "sendStatusDesc": "Trục đã nhận gói tin",  # stored by the hub
            "receiveStatus": r["state"], "receiveStatusDesc": r["reason"],
            "title": "", "notation": "",  # the simulator does not read edXML
            "messageType": r["message_type"], "sentTime": r["created_at"], "receivedTime": r["acknowledged_at"] or "",
        } for r in rows])

    @app.post("/getAgenciesList")
    async def agencies(request: Request) -> dict:
        await authenticate(request, set())
        rows = await run_in_threadpool(store.agencies)
        return _ok(data=[{"id": str(r["id"]), "code": r["code102"], "pid": str(r["pid"] or ""), "name": r["name"],
                          "mail": r["mail"], "oldCode": r["old_code"]} for r in rows if not r["deleted"]])

    @app.post("/getAgenciesListQD20")
    async def agencies_qd20(request: Request) -> dict:
        await authenticate(request, set())
        rows = await run_in_threadpool(store.agencies)
        return _ok(data=[{"id": str(r["id"]), "code": r["code_qd20"], "code102": r["code102"],
                          "pid": str(r["pid"] or ""), "name": r["name"], "mail": r["mail"], "oldCode": r["old_code"]}
                         for r in rows if not r["deleted"]])

    @app.post("/getSynchronizeUnit")
    async def synchronize(request: Request) -> dict:
        await authenticate(request, set())
        rows = await run_in_threadpool(store.agencies)
        return _ok(data=[{"id": str(r["id"]), "code": r["code102"], "pid": str(r["pid"] or ""), "name": r["name"],
                          "mail": r["mail"], "version": r["version"], "centerCode": "",
                          "deleted": bool(r["deleted"]), "modifyDate": r["modify_date"],
                          "isAgency": bool(r["is_agency"])} for r in rows])

    return app


def _recipients(value: str | None) -> list[str]:
    """The ``to`` parameter: a JSON array of agency codes (required here: edXML is not parsed)."""
    if not value:
        raise HubFailure(400, "400", "Thiếu tham số to (danh sách mã cơ quan nhận); trục mô phỏng không đọc edXML.")
    try:
        codes = json.loads(value)
    except ValueError:
        codes = None
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) and c.strip() for c in codes):
        raise HubFailure(400, "400", "Tham số to phải là mảng JSON các mã cơ quan.")
    return list(dict.fromkeys(c.strip() for c in codes))
