"""Async client of the national hub (VDXP), direct variant: the operations of EDXML.md §9.2.

Packages are opaque bytes here; building and reading edXML is ``models.exchange.edxml``'s job. Every
request is signed (``models.exchange.hub_auth``, §9.3) with a fresh timestamp. The hub's JSON answers
carry ``status``/``ErrorCode``/``ErrorDesc``; a call succeeds only with ``OK`` and ``"0"``.

Errors: ``HubUnavailable`` (network, timeout, HTTP 5xx or 429) is worth retrying with back-off;
``HubRejected`` (HTTP 4xx, or a ``FAIL`` answer) carries the hub's own message and is not retried
blindly. §9.6 retries sends on ``FAIL`` too; that bounded retry belongs to the caller (activity).

Two parameters are QLVB extensions, sent only when used, beyond §9.2: ``description`` on
``updateStatus`` (the reason of a ``fail``, percent-encoded UTF-8 because header values stay
ASCII) and ``idempotency-key`` on ``sendEdoc``. Without a key, the simulator derives one from the
content, so resending the same bytes never duplicates a package.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx

from models.exchange.hub_auth import hash_file, sign
from models.exchange.hub_systems import client_secret

MessageType = Literal["edoc", "status"]
Ack = Literal["done", "fail"]
SERVICE_TYPE = "eDoc"
JSON = "application/json"
OCTET_STREAM = "application/octet-stream"


# --- errors ------------------------------------------------------------------------------

class HubError(Exception):
    """A hub call that did not succeed; ``message`` is the hub's text (or ours, in Vietnamese)."""

    def __init__(self, operation: str, message: str, *, error_code: str = "", http_status: int | None = None):
        super().__init__(f"{operation}: {message}")
        self.operation = operation
        self.message = message
        self.error_code = error_code
        self.http_status = http_status


class HubUnavailable(HubError):
    """The hub could not be reached or failed on its side: retry later."""


class HubRejected(HubError):
    """The hub refused the request (authentication, parameters, unknown package or recipient)."""


# --- typed results -----------------------------------------------------------------------

def _time(value: Any) -> datetime | None:
    """An ISO 8601 time from the hub, or None; the real hub's format is unconfirmed, so raw is kept too."""
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class SendResult:
    """``sendEdoc``: the hub's transport id of the package (``DocId``)."""

    doc_id: str


@dataclass(frozen=True)
class ReceivedEdoc:
    """One row of ``getReceivedEdocList``: a package (or status) waiting for this system."""

    doc_id: str
    service_type: str
    message_type: str
    from_code: str
    to_code: str
    status: str
    status_desc: str
    created_time: str
    updated_time: str

    @property
    def created_at(self) -> datetime | None:
        return _time(self.created_time)

    @classmethod
    def from_json(cls, row: dict) -> ReceivedEdoc:
        return cls(doc_id=str(row.get("docId", "")), service_type=row.get("serviceType", ""),
                   message_type=row.get("messageType", ""), from_code=row.get("from", ""),
                   to_code=row.get("to", ""), status=row.get("status", ""),
                   status_desc=row.get("status_desc") or "", created_time=row.get("created_time", ""),
                   updated_time=row.get("updated_time", ""))


@dataclass(frozen=True)
class SentEdoc:
    """One row of ``getSentEdocList``: a sent package's transport state at one recipient (§9.4)."""

    service_type: str
    sender_doc_id: str
    receiver_doc_id: str
    from_code: str
    to_code: str
    send_status: str
    send_status_desc: str
    receive_status: str
    receive_status_desc: str
    title: str
    notation: str
    message_type: str
    sent_time: str
    received_time: str

    @classmethod
    def from_json(cls, row: dict) -> SentEdoc:
        text = {k: "" if v is None else str(v) for k, v in row.items()}
        return cls(service_type=text.get("serviceType", ""), sender_doc_id=text.get("senderDocId", ""),
                   receiver_doc_id=text.get("receiverDocId", ""), from_code=text.get("fromCode", ""),
                   to_code=text.get("toCode", ""), send_status=text.get("sendStatus", ""),
                   send_status_desc=text.get("sendStatusDesc", ""),
                   receive_status=text.get("receiveStatus", ""),
                   receive_status_desc=text.get("receiveStatusDesc", ""), title=text.get("title", ""),
                   notation=text.get("notation", ""), message_type=text.get("messageType", ""),
                   sent_time=text.get("sentTime", ""), received_time=text.get("receivedTime", ""))


@dataclass(frozen=True)
class Agency:
    """An agency of the hub directory (``getAgenciesList``; ``getAgenciesListQD20`` adds ``code102``).

    ``code`` is the QCVN 102 form in ``getAgenciesList`` and the QĐ20 form in ``getAgenciesListQD20``;
    ``code102`` is always the QCVN 102 form when the hub gives it.
    """

    id: str
    code: str
    pid: str
    name: str
    mail: str
    old_code: str
    code102: str = ""

    @classmethod
    def from_json(cls, row: dict) -> Agency:
        text = {k: "" if v is None else str(v) for k, v in row.items()}
        return cls(id=text.get("id", ""), code=text.get("code", ""), pid=text.get("pid", ""),
                   name=text.get("name", ""), mail=text.get("mail", ""), old_code=text.get("oldCode", ""),
                   code102=text.get("code102", ""))


@dataclass(frozen=True)
class SyncUnit:
    """A row of ``getSynchronizeUnit``: the directory with versions, for synchronisation."""

    id: str
    code: str
    pid: str
    name: str
    mail: str
    version: int
    center_code: str
    deleted: bool
    modify_date: str
    is_agency: bool

    @classmethod
    def from_json(cls, row: dict) -> SyncUnit:
        def flag(value: Any) -> bool:
            return value is True or str(value).lower() in ("true", "1")

        text = {k: "" if v is None else str(v) for k, v in row.items()}
        return cls(id=text.get("id", ""), code=text.get("code", ""), pid=text.get("pid", ""),
                   name=text.get("name", ""), mail=text.get("mail", ""),
                   version=int(row.get("version") or 0), center_code=text.get("centerCode", ""),
                   deleted=flag(row.get("deleted")), modify_date=text.get("modifyDate", ""),
                   is_agency=flag(row.get("isAgency")))


# --- the client --------------------------------------------------------------------------

class HubClient:
    """One connected system's view of the hub: its endpoint, system id and secret (§9.1).

    Pass your own ``httpx.AsyncClient`` to share a connection pool or, in tests, an
    ``httpx.ASGITransport`` to the simulator; otherwise the client owns one (close it with
    ``aclose`` or ``async with``).
    """

    def __init__(self, endpoint: str, system_id: str, secret: str, *, http: httpx.AsyncClient | None = None,
                 hash_file_padded: bool = False, timeout: float = 30.0) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.system_id = system_id
        self._secret = secret
        self._hash_file_padded = hash_file_padded
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)

    @classmethod
    def from_settings(cls, settings, *, http: httpx.AsyncClient | None = None) -> HubClient:
        """Endpoint, system id and secret from settings (the simulator's demo secret when unset)."""
        return cls(settings.effective_hub_url, settings.hub_system_id, client_secret(settings), http=http,
                   hash_file_padded=settings.hub_hash_file_padded)

    def __repr__(self) -> str:  # never the secret
        return f"HubClient({self.endpoint!r}, system_id={self.system_id!r})"

    async def __aenter__(self) -> HubClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # --- sending ---

    async def send_edoc(self, package: bytes, *, from_code: str, to_codes: Sequence[str] | None = None,
                        message_type: MessageType = "edoc", idempotency_key: str | None = None) -> SendResult:
        """``sendEdoc``: hand one package (edoc or status) to the hub; resend the same bytes to retry."""
        params = {"from": from_code}
        if to_codes:
            params["to"] = json.dumps(list(to_codes), separators=(",", ":"))
        params.update({"servicetype": SERVICE_TYPE, "messagetype": message_type,
                       "hash-file": hash_file(package, padded=self._hash_file_padded)})
        if idempotency_key:
            params["idempotency-key"] = idempotency_key
        body = await self._call("sendEdoc", params, content=package, content_type=OCTET_STREAM)
        return SendResult(doc_id=str(body.get("DocId", "")))

    async def sent(self, message_type: MessageType = "edoc") -> list[SentEdoc]:
        """``getSentEdocList``: this system's sent packages, one row per recipient."""
        body = await self._call("getSentEdocList", {"servicetype": SERVICE_TYPE, "messagetype": message_type})
        return [SentEdoc.from_json(row) for row in body.get("data") or []]

    # --- receiving ---

    async def received(self, message_type: MessageType = "edoc") -> list[ReceivedEdoc]:
        """``getReceivedEdocList``: packages waiting for this system (listed again until acknowledged)."""
        body = await self._call("getReceivedEdocList", {"servicetype": SERVICE_TYPE, "messagetype": message_type})
        return [ReceivedEdoc.from_json(row) for row in body.get("data") or []]

    async def count_received(self, message_type: MessageType = "edoc") -> int:
        """``countReceiveEdoc`` / ``countReceiveStatus`` (GET)."""
        operation = "countReceiveEdoc" if message_type == "edoc" else "countReceiveStatus"
        body = await self._call(operation, {"servicetype": SERVICE_TYPE, "messagetype": message_type},
                                method="GET")
        return int(body.get("count") or 0)

    async def fetch(self, doc_id: str) -> bytes:
        """``getEdoc``: the package's exact bytes (the hub sends them base64-encoded)."""
        body = await self._call("getEdoc", {"docId": doc_id})
        try:
            return base64.b64decode(body.get("data") or "", validate=True)
        except (binascii.Error, ValueError):
            raise HubRejected("getEdoc", "Trục trả về dữ liệu base64 không hợp lệ.") from None

    async def download(self, doc_id: str) -> bytes:
        """``downloadEdoc``: the package as a file download."""
        response = await self._send("downloadEdoc", {"docId": doc_id}, None, JSON, "POST")
        if response.headers.get("content-type", "").startswith(JSON):
            self._check(response, "downloadEdoc")
        return response.content

    async def acknowledge(self, doc_id: str, status: Ack, reason: str = "") -> None:
        """``updateStatus``: ``done`` once the package is stored safely, ``fail`` (with a reason) if it never can be."""
        params = {"docid": doc_id, "status": status}
        if reason:
            params["description"] = quote(reason, safe="")
        await self._call("updateStatus", params)

    async def done(self, doc_id: str) -> None:
        await self.acknowledge(doc_id, "done")

    async def fail(self, doc_id: str, reason: str) -> None:
        await self.acknowledge(doc_id, "fail", reason)

    # --- directory ---

    async def agencies(self) -> list[Agency]:
        """``getAgenciesList``: id, QCVN 102 code, parent, name, mail, old code."""
        return [Agency.from_json(row) for row in (await self._call("getAgenciesList", {})).get("data") or []]

    async def agencies_qd20(self) -> list[Agency]:
        """``getAgenciesListQD20``: each agency in both forms, ``code`` (QĐ20) and ``code102`` (QCVN 102)."""
        return [Agency.from_json(row) for row in (await self._call("getAgenciesListQD20", {})).get("data") or []]

    async def synchronize_units(self) -> list[SyncUnit]:
        """``getSynchronizeUnit``: the directory with version, deletion flag and modification date."""
        return [SyncUnit.from_json(row) for row in (await self._call("getSynchronizeUnit", {})).get("data") or []]

    # --- transport ---

    async def _call(self, operation: str, params: dict[str, str], *, content: bytes | None = None,
                    content_type: str = JSON, method: str = "POST") -> dict:
        response = await self._send(operation, params, content, content_type, method)
        return self._check(response, operation)

    async def _send(self, operation: str, params: dict[str, str], content: bytes | None, content_type: str,
                    method: str) -> httpx.Response:
        headers = sign(self.system_id, self._secret, params, content_type=content_type)
        try:
            return await self._http.request(method, f"{self.endpoint}/{operation}", headers=headers,
                                            content=content)
        except httpx.TransportError as error:  # connect, read, timeouts, protocol errors
            raise HubUnavailable(operation, f"Không kết nối được trục liên thông: {error!r}") from error

    @staticmethod
    def _check(response: httpx.Response, operation: str) -> dict:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        message = str(body.get("ErrorDesc") or "") or f"HTTP {response.status_code}"
        code = str(body.get("ErrorCode", ""))
        if response.status_code >= 500 or response.status_code == 429:
            raise HubUnavailable(operation, message, error_code=code, http_status=response.status_code)
        if response.status_code >= 400:
            raise HubRejected(operation, message, error_code=code, http_status=response.status_code)
        if body.get("status") != "OK" or code != "0":
            raise HubRejected(operation, message if body else "Trục trả về câu trả lời không đọc được.",
                              error_code=code, http_status=response.status_code)
        return body
