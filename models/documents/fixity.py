"""Fixity: every stored file is read again and its SHA-256 recomputed, once per period (ND30 PL VI
III.5.d: documents and hồ sơ do not change; issue 12).

The file store names each blob by its SHA-256, so a blob whose bytes no longer hash to its name
was changed (bit rot, a faulty disk, a person) and a blob that is gone was lost. A pass walks the
distinct digests the database names (``storedfile``, the hub's packages) in order, a batch at a time, from the cursor kept in
``fixity_cursor`` (one row), so a pass survives restarts and spreads over the period
(``QLVB_FIXITY_PERIOD_DAYS``): each hourly round checks the files left in the pass divided by the
rounds left before the pass is due (``round_quota``). Each problem is a ``fixity_problem`` row,
reported once to the administrators when found and closed when a later check finds the file whole
again (restored from a backup).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.documents.file_store import CHUNK, FileStore


class FixityKind(StrEnum):
    """What a check found wrong with a stored file."""

    MISMATCH = "mismatch"  # its bytes hash to another digest: changed
    MISSING = "missing"  # the blob is gone


class FixityCursor(SQLModel, table=True):
    """Where the current pass stands (one row, id 1)."""

    __tablename__ = "fixity_cursor"

    id: int = Field(default=1, primary_key=True)
    pass_number: int = 1
    after_sha256: str = Field(default="", max_length=64)  # the last digest checked in this pass
    pass_started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    checked_in_pass: int = 0
    last_pass_finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FixityProblem(SQLModel, table=True):
    """A stored file found changed or missing; open until a check finds it whole again."""

    __tablename__ = "fixity_problem"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)  # the digest the file is stored under
    kind: FixityKind = Field(sa_type=String(10))
    actual_sha256: str = Field(default="", max_length=64)  # what its bytes hash to now (mismatch)
    found_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass
class Finding:
    """The outcome of checking one digest: ``kind`` None when the file is whole."""

    sha256: str
    kind: FixityKind | None
    actual_sha256: str = ""


@dataclass
class BatchOutcome:
    """What one batch checked and found, in digest order (heartbeat details of a resumed batch)."""

    started_after: str
    last_checked: str = ""
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)  # problems only


def check_blob(store: FileStore, sha256: str) -> Finding:
    """Recompute one blob's SHA-256, reading it in chunks."""
    digest = hashlib.sha256()
    try:
        with open(store.path_for(sha256), "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return Finding(sha256, FixityKind.MISSING)
    actual = digest.hexdigest()
    return Finding(sha256, None if actual == sha256 else FixityKind.MISMATCH, "" if actual == sha256 else actual)


def round_quota(remaining: int, pass_started_at: datetime, period: timedelta, round_every: timedelta,
                now: datetime | None = None) -> int:
    """How many files this round checks so the pass ends within ``period`` of its start.

    The files left in the pass are shared among the rounds left before the pass is due (at least
    one, so a pass that is late, after an outage, is finished in this round, batch by batch).
    """
    now = now or utcnow()
    rounds_left = max(1, math.floor((pass_started_at + period - now) / round_every))
    return max(0, math.ceil(remaining / rounds_left))
