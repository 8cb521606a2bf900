"""Each day's chain head, signed with the installation's audit key (Ed25519).

The hash chain shows a row edited, inserted or deleted, but someone able to write the database
could rebuild every later hash. The head of each Vietnam day is therefore signed once the day is
over, with a key kept outside the database: ``var/pki/audit/day-heads.ed25519.pem`` (PKCS#8,
mode 0600, generated once like the installation's other keys). A rebuilt chain no longer matches
the signed heads, and nobody without the key file can sign new ones.

The message signed is ``qlvb-audit-day-head|<day>|<seq>|<hash>``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlmodel import Session

from models.audit_trail import repo
from models.audit_trail.tables import AuditDayHead
from models.registers.numbering import VIETNAM, vietnam_date
from models.signing import pki

if TYPE_CHECKING:
    from config.settings import Settings

KEY_FILE = "day-heads.ed25519.pem"
MAX_DAYS_PER_ROUND = 31  # a long outage is caught up a month per round
SETTLE = timedelta(minutes=10)  # a transaction still open at midnight has committed by then


def key_path(settings: Settings) -> Path:
    """Where the installation's audit signing key lives."""
    return pki.pki_dir(settings) / "audit" / KEY_FILE


def signing_key(settings: Settings, *, create: bool = True) -> Ed25519PrivateKey | None:
    """The installation's audit key; generated the first time (a temporary file linked into place,
    so workers starting together end up with the same key). ``None`` when absent and not created."""
    path = key_path(settings)
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        draft = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process won the race: use its key
        finally:
            draft.unlink()
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path.name} is not an Ed25519 key")
    return key


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 (hex) of the raw public key: which key signed a head."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def message(day: date, seq: int, head_hash: str) -> bytes:
    """The bytes signed for one day."""
    return f"qlvb-audit-day-head|{day.isoformat()}|{seq}|{head_hash}".encode("ascii")


def day_end(day: date) -> datetime:
    """The instant a Vietnam day ends (its next midnight in Hà Nội)."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=VIETNAM)


def days_to_sign(session: Session, now: datetime) -> list[date]:
    """The days over (and settled) that have no signed head yet, oldest first, a month at most."""
    last_day = vietnam_date(now - SETTLE) - timedelta(days=1)
    signed = repo.last_signed_day(session)
    if signed is not None:
        first = signed + timedelta(days=1)
    else:
        first_at = repo.first_event_at(session)
        if first_at is None:
            return []
        first = vietnam_date(first_at)
    days = []
    day = first
    while day <= last_day and len(days) < MAX_DAYS_PER_ROUND:
        days.append(day)
        day += timedelta(days=1)
    return days


def sign_day(session: Session, key: Ed25519PrivateKey, day: date) -> AuditDayHead:
    """Sign the chain head as of the end of ``day`` and store it (the caller commits)."""
    seq, head_hash = repo.head_before(session, day_end(day))
    row = AuditDayHead(day=day, seq=seq, hash=head_hash, key_id=key_id(key.public_key()),
                       signature=key.sign(message(day, seq, head_hash)).hex())
    return repo.add_day_head(session, row)


def signature_holds(row: AuditDayHead, public_key: Ed25519PublicKey) -> bool:
    """Whether ``row``'s signature is the installation key's over its day, seq and hash."""
    try:
        public_key.verify(bytes.fromhex(row.signature), message(row.day, row.seq, row.hash))
    except (InvalidSignature, ValueError):
        return False
    return True
