"""Two-factor login rules: TOTP codes (RFC 6238), recovery codes and the pending-login state.

* The TOTP secret is kept encrypted at rest (Fernet, with a key derived from the installation's
  secret key by HKDF), and is shown only during enrolment. An accepted code moves the stored
  ``last_step`` forward, so a code is never accepted twice, nor an older one after it.
* Recovery codes are shown once; only a keyed hash (HMAC-SHA256 with the installation key) is
  stored, so a copy of the database does not allow guessing them offline.
* Between the password and the code there is no session: the browser holds a short-lived token
  signed with the installation key and the account's password hash (``pending_token``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from models.bounds import parse_int

ISSUER = "QLVB"
STEP_SECONDS = 30
DIGITS = 6
# Codes of the previous and next 30-second step are accepted too (clock drift, typing time).
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper
PENDING_LIFETIME = timedelta(minutes=5)
ENROLMENT_LIFETIME = timedelta(minutes=30)
PENDING_COOKIE = "qlvb_login_pending"


def _derived(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"qlvb two-factor " + purpose).derive(key)


def _fernet(key: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived(key, b"secret encryption")))


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def encrypt_secret(key: bytes, secret: str) -> str:
    """The secret as stored (or carried in the enrolment form): a Fernet token."""
    return _fernet(key).encrypt(secret.encode()).decode()


def decrypt_secret(key: bytes, token: str, max_age: timedelta | None = None) -> str | None:
    """The clear secret, or None when the token is forged, damaged or older than ``max_age``."""
    try:
        ttl = int(max_age.total_seconds()) if max_age is not None else None
        return _fernet(key).decrypt(token.encode(), ttl=ttl).decode()
    except (InvalidToken, ValueError):
        return None


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=username,
                                                                                       issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline ``<svg>`` element (no image request, no CDN)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, title="Mã QR xác thực hai bước")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _digits(code: str) -> str | None:
    cleaned = "".join(code.split())
    return cleaned if len(cleaned) == DIGITS and cleaned.isascii() and cleaned.isdigit() else None


def matching_step(secret: str, code: str, now: datetime, last_step: int) -> int | None:
    """The time step whose code ``code`` is, within the drift and after ``last_step``; else None."""
    digits = _digits(code)
    if digits is None:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def looks_like_totp(code: str) -> bool:
    return _digits(code) is not None


def new_recovery_codes() -> list[str]:
    """Ten codes of ten letters and digits (about 49 bits each), written ``xxxxx-xxxxx``."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())[:40]


def recovery_hash(key: bytes, code: str) -> str:
    """The stored form of a recovery code: a keyed hash of its letters and digits."""
    return hmac.new(_derived(key, b"recovery codes"), normalise_recovery_code(code).encode(),
                    hashlib.sha256).hexdigest()


def _pending_mac(key: bytes, user_id: int, password_hash: str, nonce: str, expires: int) -> str:
    mac_key = hmac.new(_derived(key, b"pending login"), password_hash.encode(), hashlib.sha256).digest()
    digest = hmac.new(mac_key, f"{user_id}.{nonce}.{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def pending_token(key: bytes, user_id: int, password_hash: str, now: datetime) -> str:
    """The signed state between the password and the code: ``<user>.<nonce>.<expiry>.<mac>``."""
    expires = int((now + PENDING_LIFETIME).timestamp())
    nonce = secrets.token_hex(8)
    return f"{user_id}.{nonce}.{expires}.{_pending_mac(key, user_id, password_hash, nonce, expires)}"


def pending_user_id(token: str) -> int | None:
    """The account a pending token names (not yet verified), or None when malformed."""
    parts = token.split(".")
    if len(parts) != 4 or len(token) > 200:
        return None
    return parse_int(parts[0], 1, 2**62)


def pending_valid(key: bytes, token: str, user_id: int, password_hash: str, now: datetime) -> bool:
    """True when ``token`` was signed here for this account and password, and has not expired."""
    parts = token.split(".")
    if len(parts) != 4 or len(token) > 200 or parts[0] != str(user_id):
        return False
    _, nonce, expires_part, mac = parts
    expires = parse_int(expires_part, 0, 10**12)
    if expires is None or not (nonce.isascii() and nonce.isalnum()):
        return False
    expected = _pending_mac(key, user_id, password_hash, nonce, expires)
    return hmac.compare_digest(mac, expected) and expires >= now.timestamp()
