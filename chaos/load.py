"""The load of a chaos run: people using API v1 of both installations while processes die.

Each actor is a thread with its own httpx client and bearer token. Every create (an upload, a
draft) carries an ``Idempotency-Key``; every decision a nonce; a request that fails in flight
(connection error, timeout, 5xx) is sent again with the same key or nonce until
``REQUEST_DEADLINE`` passes. What was sent and what was acknowledged goes into the ``Ledger``,
which the invariants compare with the databases afterwards.

- intake (A, ``vanthu``): uploads of unsigned, validly signed and tampered (invalid) PDFs;
- leader (A, ``lanhdao``): ``luu_tham_khao`` or ``giao_xu_ly`` on each open direction step;
- outgoing (A): ``chuyenvien`` drafts a Công văn to Sở Nội vụ (inside A) and Bộ Nội vụ (B, through
  the hub), submits it; ``truongphong``, ``vanthu``, ``lanhdao`` approve; ``lanhdao`` signs; ``vanthu`` issues;
- receivers: B's ``vanthu.bnv`` and A's ``vanthu.snv`` register (``vao_so``) what arrived.
"""

from __future__ import annotations

import io
import json
import random
import threading
import time
import uuid

import httpx

from chaos.ledger import Decision, Draft, Ledger, Upload

REQUEST_DEADLINE = 90.0  # seconds a request is retried for before it counts as unacknowledged
STEP_TIMEOUT = 120.0  # seconds an outgoing document's next step may take to appear
RETRYABLE = {500, 502, 503, 504}
MINISTRY_CODE = "000.00.00.G09"
SNV_CODE = "000.00.02.H23"


class Api:
    """One person logged in to one installation's API v1."""

    def __init__(self, base_url: str, username: str, password: str, ledger: Ledger, idempotency: bool) -> None:
        self.base_url = base_url
        self.username = username
        self.password = password
        self.ledger = ledger
        self.idempotency = idempotency
        self.client = httpx.Client(base_url=base_url, timeout=30.0)
        self.token: str | None = None

    def close(self) -> None:
        self.client.close()

    def _login(self, deadline: float) -> bool:
        while time.monotonic() < deadline:
            try:
                response = self.client.post("/api/v1/auth/token",
                                            data={"username": self.username, "password": self.password})
                if response.status_code == 200:
                    self.token = response.json()["access_token"]
                    return True
                self.ledger.count(f"{response.status_code // 100}xx")
            except httpx.TransportError:
                self.ledger.count("no answer")
            time.sleep(random.uniform(0.5, 1.5))
        return False

    def call(self, method: str, path: str, *, key: str | None = None, deadline: float = REQUEST_DEADLINE,
             record=None, **kwargs) -> httpx.Response | None:
        """Send until an answer that is not a 5xx, or until ``deadline`` seconds have passed.

        ``record`` (an Upload or Draft) counts attempts and those that got no usable answer.
        """
        until = time.monotonic() + deadline
        while time.monotonic() < until:
            if self.token is None and not self._login(until):
                return None
            headers = {"Authorization": f"Bearer {self.token}"}
            if key is not None:
                headers["Idempotency-Key"] = key
            if record is not None:
                record.attempts += 1
            try:
                response = self.client.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError:
                self.ledger.count("no answer")
                if record is not None:
                    record.unacked_attempts += 1
                time.sleep(random.uniform(0.5, 2.0))
                continue
            self.ledger.count(f"{response.status_code // 100}xx")
            if response.status_code == 401:
                self.token = None  # should not happen: sessions live in the database
                self.ledger.note(f"{self.username}: 401 on {path}")
                continue
            # 409 "idempotency_in_progress": an earlier attempt with this key still holds it (RFC draft:
            # try again later), as when the web process that took it was killed mid-request.
            if response.status_code in RETRYABLE or (
                    response.status_code == 409 and "idempotency_in_progress" in response.text):
                if record is not None:
                    record.unacked_attempts += 1
                time.sleep(random.uniform(0.5, 2.0))
                continue
            return response
        return None

    def tasks(self) -> list[dict]:
        found: dict[int, dict] = {}
        for scope in ("mine", "unit"):
            response = self.call("GET", "/api/v1/tasks", params={"scope": scope, "per_page": 500}, deadline=20)
            if response is not None and response.status_code == 200:
                found.update({t["id"]: t for t in response.json()})
        return list(found.values())


# --- PDFs ----------------------------------------------------------------------------------

def plain_pdf(marker: str) -> bytes:
    """A one-page PDF whose text carries ``marker`` (ASCII)."""
    stream = f"BT /F1 14 Tf 72 770 Td (Chaos {marker}) Tj ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
               "/Contents 4 0 R >>",
               f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class Signer:
    """Signs with A's demo PKI (the leader's PKCS#12), which A trusts."""

    def __init__(self, settings) -> None:
        from pyhanko.sign import signers

        from models.signing import pki

        self.signer = signers.SimpleSigner.load_pkcs12(pki.demo_pkcs12_path(settings, "lanhdao"),
                                                       passphrase=pki.demo_password(settings))

    def sign(self, pdf: bytes) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        metadata = signers.PdfSignatureMetadata(field_name="NguoiKy", subfilter=fields.SigSeedSubFilter.PADES)
        return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), metadata, signer=self.signer).getvalue()

    def tampered(self, pdf: bytes, marker: str) -> bytes:
        """Signed, then one letter of the signed text changed: same length, still a readable PDF."""
        signed = self.sign(pdf)
        needle = f"(Chaos {marker})".encode()
        assert signed.count(needle) == 1
        return signed.replace(needle, f"(Chaoz {marker})".encode())


# --- the actors ----------------------------------------------------------------------------

class Load:
    """All actors of both installations; ``start`` them, ``stop`` them, read the ``ledger``."""

    def __init__(self, a_url: str, b_url: str, password: str, ids: dict, signer: Signer, idempotency: bool,
                 drafters: int = 2, pace: float = 1.0) -> None:
        self.ledger = Ledger()
        self.stopping = threading.Event()
        self.ids = ids
        self.signer = signer
        self.pace = pace  # multiplies the pauses between actions
        self.drafters = drafters

        def api(url: str, username: str) -> Api:
            return Api(url, username, password, self.ledger, idempotency)

        self.api = api
        self.a_url, self.b_url = a_url, b_url
        self.threads: list[threading.Thread] = []
        self.decided: set[int] = set()  # task ids this run has decided (per installation: keys below)
        self._lock = threading.Lock()

    def start(self) -> None:
        actors = [("intake", self._intake), ("leader", self._leader), ("receivers", self._receivers)]
        actors += [(f"drafter-{i}", self._drafter) for i in range(self.drafters)]
        for name, target in actors:
            thread = threading.Thread(target=self._guard, args=(name, target), name=name, daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self, timeout: float = 150.0) -> None:
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(timeout=max(0.1, deadline - time.monotonic()))
        alive = [t.name for t in self.threads if t.is_alive()]
        if alive:
            self.ledger.note(f"actors still running at stop: {alive}")

    def _guard(self, name: str, target) -> None:
        try:
            target()
        except Exception as error:  # noqa: BLE001 - an actor's crash is reported, never hidden
            self.ledger.note(f"actor {name} crashed: {error!r}")

    def _pause(self, low: float, high: float) -> None:
        self.stopping.wait(random.uniform(low, high) * self.pace)

    # --- intake ---------------------------------------------------------------------------

    def _intake(self) -> None:
        clerk = self.api(self.a_url, "vanthu")
        number = 0
        while not self.stopping.is_set():
            number += 1
            kind = random.choice(["valid", "valid", "unsigned", "invalid"])
            key = uuid.uuid4().hex
            pdf = plain_pdf(key)
            if kind == "valid":
                pdf = self.signer.sign(pdf)
            elif kind == "invalid":
                pdf = self.signer.tampered(pdf, key)
            upload = Upload(key, kind)
            with self.ledger.lock:
                self.ledger.uploads.append(upload)
            metadata = {"code_number": str(number), "code_notation": "CHAOS", "issued_date": "2026-11-20",
                        "organ_name": "Sở Tài chính tỉnh Hà Nam", "organ_id": "000.00.03.H23",
                        "type_name": "Công văn", "subject": f"V/v kiểm thử chaos {key}",
                        "signer_full_name": "Bùi Đức Long", "signer_position": "Giám đốc Sở", "priority": "thuong"}
            response = clerk.call("POST", "/api/v1/incoming", key=key, record=upload,
                                  files={"file": (f"{key}.pdf", pdf, "application/pdf")},
                                  data={"metadata": json.dumps(metadata, ensure_ascii=False)})
            upload.status = response.status_code if response is not None else None
            if response is not None and response.status_code == 201:
                upload.acked = True
                upload.document_id = response.json()["id"]
            elif response is not None:
                self.ledger.note(f"upload {key} refused: {response.status_code} {response.text[:200]}")
            self._pause(0.5, 1.5)
        clerk.close()

    # --- decisions --------------------------------------------------------------------------

    def _decide(self, api: Api, installation: str, task: dict, action: str, fields: dict) -> Decision:
        decision = Decision(installation, task["id"], task["step"], action, task["document_id"])
        with self.ledger.lock:
            self.ledger.decisions.append(decision)
        nonce = f"chaos-{installation}-{task['id']}-{action}"
        until = time.monotonic() + REQUEST_DEADLINE
        while time.monotonic() < until:
            response = api.call("POST", f"/api/v1/tasks/{task['id']}/actions",
                                json={"action": action, "fields": fields, "nonce": nonce},
                                deadline=max(1.0, until - time.monotonic()))
            decision.status = response.status_code if response is not None else None
            if response is None:
                break
            if response.status_code == 200:
                decision.acked = True
                break
            if response.status_code != 202:  # 202: outcome not known yet; the same nonce asks again
                self.ledger.note(f"{installation} {action} on task {task['id']}: "
                                 f"{response.status_code} {response.text[:200]}")
                break
            time.sleep(1.0)
        return decision

    def _leader(self) -> None:
        leader = self.api(self.a_url, "lanhdao")
        while not self.stopping.is_set():
            for task in leader.tasks():
                if self.stopping.is_set():
                    break
                key = ("a", task["id"])
                if task["step"] != "direct" or key in self.decided:
                    continue
                self.decided.add(key)
                if random.random() < 0.7:
                    self._decide(leader, "a", task, "luu_tham_khao", {"opinion": "Lưu để tham khảo."})
                else:
                    self._decide(leader, "a", task, "giao_xu_ly", {
                        "opinion": "Giao phòng Tổng hợp chủ trì tham mưu.", "lead_unit_id": self.ids["unit_th"]})
            self._pause(1.0, 3.0)
        leader.close()

    def _receivers(self) -> None:
        """B's văn thư registers what came through the hub; Sở Nội vụ's what A delivered inside."""
        people = [("b", self.api(self.b_url, "vanthu.bnv")), ("a", self.api(self.a_url, "vanthu.snv"))]
        while not self.stopping.is_set():
            for installation, clerk in people:
                for task in clerk.tasks():
                    if self.stopping.is_set():
                        break
                    key = (installation, task["id"])
                    if task["step"] != "accept" or key in self.decided:
                        continue
                    if "vao_so" not in {a["action"] for a in task["actions"]}:
                        continue
                    self.decided.add(key)
                    self._decide(clerk, installation, task, "vao_so", {})
            self._pause(1.0, 3.0)
        for _name, clerk in people:
            clerk.close()

    # --- outgoing ---------------------------------------------------------------------------

    def _drafter(self) -> None:
        people = {name: self.api(self.a_url, name) for name in ("chuyenvien", "truongphong", "vanthu", "lanhdao")}
        while not self.stopping.is_set():
            self._one_outgoing(people)
            self._pause(0.5, 1.5)
        for api in people.values():
            api.close()

    def _one_outgoing(self, people: dict[str, Api]) -> None:
        key = uuid.uuid4().hex
        draft = Draft(key)
        with self.ledger.lock:
            self.ledger.drafts.append(draft)
        metadata = {"doc_type_id": self.ids["cong_van"], "subject": f"Kiểm thử chaos {key}",
                    "body": "Văn phòng UBND tỉnh đề nghị các cơ quan phối hợp.\n\nTrân trọng.",
                    "signer_id": self.ids["lanhdao"], "recipient_agency_ids": [self.ids["snv"]],
                    "recipient_codes": [MINISTRY_CODE]}
        response = people["chuyenvien"].call("POST", "/api/v1/outgoing", key=key, record=draft,
                                             data={"metadata": json.dumps(metadata, ensure_ascii=False)})
        if response is None or response.status_code != 201:
            if response is not None:
                self.ledger.note(f"draft {key} refused: {response.status_code} {response.text[:200]}")
            draft.gave_up_at = "create"
            return
        draft.acked = True
        draft.document_id = response.json()["id"]
        if not self._submit(people["chuyenvien"], draft):
            draft.gave_up_at = "submit"
            return
        steps = [("review", "truongphong", "duyet"), ("format_check", "vanthu", "duyet"),
                 ("approve", "lanhdao", "duyet"), ("sign", "lanhdao", "ky_so"), ("issue", "vanthu", "ban_hanh")]
        for step, person, action in steps:
            if self.stopping.is_set():
                draft.gave_up_at = f"stopped before {step}"
                return
            task = self._wait_for_step(people[person], draft.document_id, step)
            if task is None:
                draft.gave_up_at = f"no {step} task"
                return
            self.decided.add(("a", task["id"]))
            if action == "ky_so":
                decision = self._sign(people[person], task)
            else:
                decision = self._decide(people[person], "a", task, action, {})
            if not decision.acked:
                draft.gave_up_at = f"{step} not acknowledged"
                return
            draft.steps_done.append(step)
        draft.issued = True

    def _submit(self, drafter: Api, draft: Draft) -> bool:
        response = drafter.call("POST", f"/api/v1/outgoing/{draft.document_id}/submit", json={})
        if response is not None and response.status_code == 200:
            draft.submitted = True
            return True
        # An earlier attempt may have started the workflow before its answer was lost.
        current = drafter.call("GET", f"/api/v1/outgoing/{draft.document_id}")
        if current is not None and current.status_code == 200 and current.json()["status"] != "draft":
            draft.submitted = True
            return True
        self.ledger.note(f"submit {draft.document_id}: {response.status_code if response else 'no answer'}")
        return False

    def _wait_for_step(self, api: Api, document_id: str, step: str) -> dict | None:
        until = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < until and not self.stopping.is_set():
            for task in api.tasks():
                if task["document_id"] == document_id and task["step"] == step and task["status"] in ("open", "claimed"):
                    return task
            self.stopping.wait(1.0)
        return None

    def _sign(self, leader: Api, task: dict) -> Decision:
        decision = Decision("a", task["id"], task["step"], "ky_so", task["document_id"])
        with self.ledger.lock:
            self.ledger.decisions.append(decision)
        nonce = f"chaos-a-{task['id']}-ky_so"
        until = time.monotonic() + REQUEST_DEADLINE
        while time.monotonic() < until:
            response = leader.call("POST", f"/api/v1/tasks/{task['id']}/sign", json={"nonce": nonce},
                                   deadline=max(1.0, until - time.monotonic()))
            decision.status = response.status_code if response is not None else None
            if response is None:
                break
            if response.status_code == 200:
                decision.acked = True
                break
            if response.status_code != 202:
                self.ledger.note(f"sign task {task['id']}: {response.status_code} {response.text[:200]}")
                break
            time.sleep(1.0)
        return decision
