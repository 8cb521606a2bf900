"""The simulated people, run by Locust (``locust -f bench/load/locustfile.py --headless``).

Started by ``bench/load/run.py`` in its own process, with ``LOAD_PLAN`` naming a JSON file: the web
address, the people to play (``mix.deal``), the password, the rate steps, the mode (``open``:
timed tickets of ``schedule.Tickets``; ``closed``: each user sends its next request when the last
one returned, for the steps' total time) and where to write the samples (one JSON line per
request, read by ``report``).

Each Locust user logs in as its person through the login form (CSRF token from the form), opens
the inbox, then waits until every user has logged in; then the clock of the tickets starts. A user
takes a ticket, sleeps until it is due, and sends one request of its persona's mix (``mix``).
Document pages are of documents the person saw listed (inbox, văn bản đến, search results), so
every one is allowed by the visibility rules; an upload by a văn thư is handed to the Locust user
playing the same agency's leader, who opens it once its step is there and decides it.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

from bench.load import mix
from bench.load.multipart import encode_multipart
from bench.load.schedule import Step, Ticket, Tickets

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
PDFS = [open(path, "rb").read() for path in PLAN["pdfs"]]  # noqa: SIM115 - each upload a file of its own
UPLOADS = itertools.count()
DEALT = itertools.count()
SAMPLES: list[dict] = []
READY = Event()
STATE = {"logged_in": 0, "stopped": 0, "tickets": None}
HANDOFF: dict[int, deque] = defaultdict(deque)  # agency -> (ready at, document id) uploaded, to decide

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DOCUMENT_LINK = re.compile(r'href="/documents/([0-9a-f-]{36})"')
CLAIM_BUTTON = re.compile(r'hx-post="/tasks/(\d+)/claim"')
REGISTER_LINK = re.compile(r'href="/registers/(\d+)"')
ACT_FORM = re.compile(r'action="/tasks/(\d+)/act"')
NONCE = re.compile(r'name="nonce" value="([^"]+-luu_tham_khao)"')
HTMX = {"HX-Request": "true"}


ALERT = re.compile(r'class="notice error"[^>]*>\s*(?:<p>)?([^<]{1,160})')


def _why(answer) -> str:
    """What the refusal said: a 204 to a background poll hides an error; a page names it."""
    if answer.status_code == 204:
        return " (a poll's error hidden)" + (f" → {answer.headers.get('HX-Redirect')}"
                                             if answer.headers.get("HX-Redirect") else "")
    found = ALERT.search(answer.text or "") if answer.status_code >= 400 else None
    return f": {found.group(1).strip()}" if found else ""


class ClosedClock:
    """The closed loop: every ticket is due now, until the steps' total time has passed."""

    def __init__(self, seconds: float, start: float) -> None:
        self.end, self.numbers = start + seconds, itertools.count()

    def next(self) -> Ticket | None:
        now = time.time()
        return Ticket(next(self.numbers), 0, now) if now < self.end else None


def _start_clock() -> None:
    steps = [Step(rate, seconds) for rate, seconds in PLAN["steps"]]
    start = time.time() + 1.0
    STATE["tickets"] = Tickets(steps, start) if PLAN["mode"] == "open" else \
        ClosedClock(sum(step.seconds for step in steps), start)
    STATE["start"] = start
    READY.set()


@events.quitting.add_listener
def _write_samples(environment, **_kwargs) -> None:
    with open(PLAN["output"], "w", encoding="utf-8") as output:
        output.write(json.dumps({"start": STATE.get("start"), "logged_in": STATE["logged_in"]}) + "\n")
        for sample in SAMPLES:
            output.write(json.dumps(sample, ensure_ascii=False) + "\n")


class Person(FastHttpUser):
    """One of the province's people at work."""

    wait_time = constant(0)  # the tickets say when
    host = PLAN["base_url"]
    connection_timeout = 60.0
    network_timeout = 60.0

    def on_start(self) -> None:
        number = next(DEALT)
        self.person = PLAN["people"][number % len(PLAN["people"])]
        self.persona = self.person["persona"]
        self.rng = random.Random(PLAN["seed"] * 100_003 + number)
        self.documents: deque[str] = deque(maxlen=40)
        self.claimable: list[str] = []
        self.registers: list[str] = []
        self.claimed = self.decision = self.token = None
        self.csrf = ""
        try:
            self._login()
        finally:
            STATE["logged_in"] += 1
            if STATE["logged_in"] >= PLAN["users"]:
                _start_clock()
        READY.wait()

    def on_stop(self) -> None:
        STATE["stopped"] += 1
        if STATE["stopped"] >= PLAN["users"]:
            gevent.spawn_later(0.5, self.environment.runner.quit)

    # --- requests ----------------------------------------------------------------------

    def _send(self, route: str, ticket: Ticket | None, method: str, path: str, expect: int = 200, **kwargs):
        """One request, recorded as a sample of ``route``; the response, or None when it failed."""
        sent = time.time()
        try:
            with self.client.request(method, path, name=route, catch_response=True, **kwargs) as answer:
                ms = (time.time() - sent) * 1000
                ok = answer.status_code == expect
                error = "" if ok else f"HTTP {answer.status_code}" + _why(answer)
                if ok and route != mix.LOGIN and "/login" in str(getattr(answer, "url", "")):
                    ok, error = False, "sent to the login page"  # the session was refused
                if not ok:
                    answer.failure(error)
        except Exception as failure:  # noqa: BLE001 - a connection error is a sample too
            ms, ok, error, answer = (time.time() - sent) * 1000, False, type(failure).__name__, None
        SAMPLES.append(dict(step=ticket.step if ticket else -1, route=route, due=ticket.due if ticket else sent,
                            sent=sent, ms=round(ms, 2), ok=ok, error=error))
        return answer if ok else None

    def _login(self) -> None:
        form = self._send(mix.LOGIN, None, "GET", "/login")
        token = CSRF.search(form.text).group(1) if form is not None else ""
        self._send(mix.LOGIN, None, "POST", "/login", expect=303, allow_redirects=False,
                   data={"username": self.person["username"], "password": PLAN["password"], "csrf_token": token})
        self._harvest(self._send(mix.INBOX, None, "GET", "/"))

    def _harvest(self, answer) -> None:
        """Remember what the page showed: documents, claimable tasks, registers, the CSRF token."""
        if answer is None:
            return
        page = answer.text
        found = CSRF.search(page)
        self.csrf = found.group(1) if found else self.csrf
        for document in DOCUMENT_LINK.findall(page):
            if document not in self.documents:
                self.documents.append(document)
        self.claimable = CLAIM_BUTTON.findall(page) or self.claimable
        self.registers = REGISTER_LINK.findall(page) or self.registers

    @task
    def one_arrival(self) -> None:
        ticket = STATE["tickets"].next()
        if ticket is None:
            raise StopUser
        gevent.sleep(max(0.0, ticket.due - time.time()))
        route = mix.choose(self.persona, self.rng)
        if route in (mix.COUNTS, mix.NOTIFICATIONS):
            self._send(route, ticket, "GET", route.split()[1], headers=HTMX)
            return
        getattr(self, "_" + route.split()[0])(ticket)

    def _inbox(self, ticket: Ticket) -> None:
        scope = self.rng.choice(["", "", "?scope=unit"]) if self.persona == mix.UNIT_LEADER else ""
        self._harvest(self._send(mix.INBOX, ticket, "GET", "/" + scope))

    def _document(self, ticket: Ticket, document: str | None = None) -> object:
        document = document or (self.rng.choice(self.documents) if self.documents else None)
        if document is None:
            return self._list(ticket)
        return self._send(mix.DOCUMENT, ticket, "GET", f"/documents/{document}")

    def _list(self, ticket: Ticket) -> None:
        self._harvest(self._send(mix.DOCUMENT_LIST, ticket, "GET", "/documents"))

    def _search(self, ticket: Ticket) -> None:
        self._harvest(self._send(mix.SEARCH, ticket, "GET", "/search", params=mix.search_params(self.rng)))

    def _api(self, ticket: Ticket) -> None:
        if self.token is None:
            answer = self._send(mix.TOKEN, ticket, "POST", "/api/v1/auth/token",
                                data={"username": self.person["username"], "password": PLAN["password"]})
            self.token = answer.json()["access_token"] if answer is not None else None
            return
        self._send(mix.API_TASKS, ticket, "GET", "/api/v1/tasks", headers={"Authorization": f"Bearer {self.token}"})

    def _registers(self, ticket: Ticket) -> None:
        self._harvest(self._send(mix.REGISTERS, ticket, "GET", "/registers"))

    def _register(self, ticket: Ticket) -> None:
        if not self.registers:
            return self._registers(ticket)
        self._send(mix.REGISTER_PAGE, ticket, "GET", f"/registers/{self.rng.choice(self.registers)}")

    def _upload(self, ticket: Ticket) -> None:
        # Not from the seeded draws: a run after another would repeat its số/ký hiệu (a probable duplicate).
        mark, number = uuid.uuid4().hex[:8], next(UPLOADS)
        fields = {"csrf_token": self.csrf, "code_number": str(int(mark, 16) % 99_999 + 1), "code_notation": "SNV-VP",
                  "issued_date": (datetime.now(UTC) - timedelta(days=1)).date().isoformat(),
                  "organ_name": "Sở Nội vụ tỉnh Hà Nam", "type_name": "Công văn", "priority": "thuong",
                  "subject": f"V/v kiểm tra tải hệ thống, lượt {mark}"}
        body, content_type = encode_multipart(fields, {"file": (f"cv-{mark}.pdf", PDFS[number % len(PDFS)], "application/pdf")})
        answer = self._send(mix.UPLOAD, ticket, "POST", "/documents/new", expect=303, allow_redirects=False,
                            data=body, headers={"Content-Type": content_type})
        if answer is not None:
            document = answer.headers.get("location", "").rsplit("/", 1)[-1]
            HANDOFF[self.person["agency_id"]].append((time.time() + 2.0, document, 0))

    def _decide(self, ticket: Ticket) -> None:
        """The leader's decision on an uploaded document: its page first (for the form's nonce), then
        the decision; with nothing to decide, the inbox."""
        if self.decision is not None:
            task_id, nonce = self.decision
            self.decision = None
            self._send(mix.DECIDE, ticket, "POST", f"/tasks/{task_id}/act", expect=303, allow_redirects=False,
                       data={"csrf_token": self.csrf, "action": "luu_tham_khao", "nonce": nonce,
                             "opinion": "Lưu tham khảo"})
            return
        waiting = HANDOFF[self.person["agency_id"]]
        if not waiting or waiting[0][0] > time.time():
            return self._inbox(ticket)
        _, document, tries = waiting.popleft()
        answer = self._document(ticket, document)
        form, nonce = (ACT_FORM.search(answer.text), NONCE.search(answer.text)) if answer is not None else (None, None)
        if form and nonce:
            self.decision = (form.group(1), nonce.group(1))
        elif tries < 10:  # the intake workflow has not opened the step yet
            waiting.append((time.time() + 2.0, document, tries + 1))

    def _claim(self, ticket: Ticket) -> None:
        """Take a task of the unit's queue, and give it back the next time."""
        headers = {**HTMX, "X-CSRF-Token": self.csrf}
        if self.claimed is not None:
            claimed, self.claimed = self.claimed, None
            self._send(mix.RELEASE, ticket, "POST", f"/tasks/{claimed}/release", expect=204, headers=headers)
            return
        if not self.claimable:
            return self._inbox(ticket)
        chosen = self.claimable.pop(self.rng.randrange(len(self.claimable)))
        if self._send(mix.CLAIM, ticket, "POST", f"/tasks/{chosen}/claim", expect=204, headers=headers) is not None:
            self.claimed = chosen
