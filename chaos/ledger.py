"""What a chaos run's load sent and what each installation acknowledged (``chaos.load`` writes it,
``chaos.invariants`` compares it with the databases afterwards)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Upload:
    key: str  # the Idempotency-Key, also in the subject so the document can be found
    kind: str  # valid | invalid | unsigned
    attempts: int = 0
    acked: bool = False
    status: int | None = None  # the last HTTP status, None when no answer came
    document_id: str | None = None
    unacked_attempts: int = 0  # attempts before the acknowledged one that had no answer or a 5xx


@dataclass
class Draft:
    key: str
    attempts: int = 0
    acked: bool = False
    unacked_attempts: int = 0
    document_id: str | None = None
    submitted: bool = False
    steps_done: list[str] = field(default_factory=list)
    issued: bool = False  # the văn thư's ban_hanh was acknowledged
    gave_up_at: str = ""


@dataclass
class Decision:
    installation: str
    task_id: int
    step: str
    action: str
    document_id: str
    acked: bool = False
    status: int | None = None


@dataclass
class Ledger:
    uploads: list[Upload] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    http: dict[str, int] = field(default_factory=dict)  # "2xx", "4xx", "5xx", "no answer"
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        with self.lock:
            self.http[what] = self.http.get(what, 0) + 1

    def note(self, text: str) -> None:
        with self.lock:
            if len(self.errors) < 200:
                self.errors.append(text)
