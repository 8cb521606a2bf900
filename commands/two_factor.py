"""Two-factor login for one's own account (enrol, new recovery codes, disable) and its reset by an
administrator. Administrators must have it (``web.deps``); anyone else may turn it on.

The secret being enrolled is not stored until a code confirms it: the enrolment form carries it
encrypted with the installation key (``Enrolment.sealed``), valid for half an hour.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from commands.admin import require_admin
from commands.auth import _policy, device_key
from config.settings import Settings
from models.audit import record
from models.db import reading, transaction, utcnow
from models.errors import AuthFailed, Conflict, DomainError
from models.org import repo as account_repo
from models.org import two_factor_repo
from models.org.passwords import verify_password
from models.org.tables import TwoFactor, User
from models.org.throttle import account_identity, seconds_left, throttle_key
from models.org.two_factor import (
    ENROLMENT_LIFETIME,
    decrypt_secret,
    encrypt_secret,
    grouped,
    matching_step,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    qr_svg,
    recovery_hash,
    time_step,
)
from models.vocab import Role


@dataclass
class Enrolment:
    """What the enrolment page shows: the QR code, the secret as text, and the sealed secret the
    confirmation form sends back."""

    qr_svg: str
    secret_text: str
    sealed: str


@dataclass
class Status:
    enabled: bool
    recovery_codes_left: int


def status(engine: Engine, user_id: int) -> Status:
    with reading(engine) as session:
        enabled = two_factor_repo.has_factor(session, user_id)
        return Status(enabled, two_factor_repo.recovery_codes_left(session, user_id) if enabled else 0)


def start_enrolment(settings: Settings, username: str) -> Enrolment:
    """A new secret to scan; nothing is stored yet."""
    secret = new_secret()
    return Enrolment(qr_svg(provisioning_uri(secret, username)), grouped(secret),
                     encrypt_secret(device_key(settings), secret))


def _recovery_hashes(key: bytes) -> tuple[list[str], list[str]]:
    codes = new_recovery_codes()
    return codes, [recovery_hash(key, code) for code in codes]


def enable(engine: Engine, settings: Settings, user_id: int, sealed: str, code: str) -> list[str]:
    """Confirm an enrolment with a current code; return the recovery codes (shown once)."""
    key = device_key(settings)
    secret = decrypt_secret(key, sealed, ENROLMENT_LIFETIME)
    if secret is None:
        raise DomainError("enrolment_expired")
    now = utcnow()
    step = matching_step(secret, code, now, last_step=time_step(now) - 10)
    if step is None:
        raise DomainError("otp_invalid")
    codes, hashes = _recovery_hashes(key)
    with transaction(engine) as session:
        if two_factor_repo.has_factor(session, user_id):
            raise Conflict("two_factor_already_enabled")
        two_factor_repo.enable(session, user_id, encrypt_secret(key, secret), step, hashes)
        record(session, user_id, "auth.two_factor_enabled", "user", user_id, recovery_codes=len(codes))
    return codes


def _check_owner(session: Session, settings: Settings, user: User, factor: TwoFactor | None, code: str,
                 password: str | None) -> None:
    """Check a code (and the password when given) of a signed-in person before a change to their
    factor. Wrong answers count under the account's throttle key, so a borrowed session cannot
    be used to guess the password; while that key is blocked nothing is checked."""
    if factor is None:
        raise DomainError("two_factor_not_enabled")
    now = utcnow()
    policy = _policy(settings)
    keys = {"account": throttle_key("account", account_identity(user.username))}
    blocked = account_repo.throttle_refusal(session, keys, now)
    if blocked is not None:
        raise AuthFailed("login_throttled", seconds=seconds_left(blocked[1], now))
    if password is not None and not verify_password(user.password_hash, password):
        reason = "wrong_current_password"
    else:
        secret = decrypt_secret(device_key(settings), factor.secret)
        step = matching_step(secret, code, now, factor.last_step) if secret else None
        reason = None if step is not None and two_factor_repo.advance_step(session, user.id, step) else "otp_invalid"
    if reason is not None:
        row = account_repo.count_login_failure(session, "account", keys["account"], policy, now)
        record(session, user.id, "auth.two_factor_check_failed", "user", user.id, reason=reason)
        raise _Refused(reason, row.blocked_until)


class _Refused(Exception):
    """A wrong answer whose failure count must be committed before the refusal is raised."""

    def __init__(self, code: str, blocked_until) -> None:
        super().__init__(code)
        self.code = code
        self.blocked_until = blocked_until


def _committed_refusal(refused: _Refused) -> DomainError:
    now = utcnow()
    if refused.blocked_until is not None and refused.blocked_until > now:
        return AuthFailed("login_throttled", seconds=seconds_left(refused.blocked_until, now))
    return DomainError(refused.code)


def regenerate_recovery_codes(engine: Engine, settings: Settings, user: User, code: str) -> list[str]:
    """New recovery codes against a current code; the old ones stop working."""
    codes, hashes = _recovery_hashes(device_key(settings))
    refused = None
    with transaction(engine) as session:
        try:
            _check_owner(session, settings, user, two_factor_repo.factor_of(session, user.id), code, None)
        except _Refused as error:
            refused = error
        else:
            two_factor_repo.replace_recovery_codes(session, user.id, hashes)
            record(session, user.id, "auth.recovery_codes_generated", "user", user.id, recovery_codes=len(codes))
    if refused is not None:
        raise _committed_refusal(refused)
    return codes


def disable(engine: Engine, settings: Settings, user: User, password: str, code: str) -> None:
    """Turn one's second factor off: the password and a current code are both required."""
    refused = None
    with transaction(engine) as session:
        try:
            _check_owner(session, settings, user, two_factor_repo.factor_of(session, user.id), code, password)
        except _Refused as error:
            refused = error
        else:
            two_factor_repo.remove(session, user.id)
            record(session, user.id, "auth.two_factor_disabled", "user", user.id)
    if refused is not None:
        raise _committed_refusal(refused)


def reset(engine: Engine, *, actor_id: int, roles: set[Role], username: str) -> None:
    """An administrator removes a person's second factor (a lost phone); the person may enrol
    again at the next login, and must if they are an administrator."""
    require_admin(roles)
    _reset(engine, actor_id, username)


def reset_by_operator(engine: Engine, username: str) -> None:
    """The same, run by the installation's operator (``qlvb users reset-two-factor``): the way
    back in when every administrator lost their phone and recovery codes."""
    _reset(engine, None, username)


def _reset(engine: Engine, actor_id: int | None, username: str) -> None:
    with transaction(engine) as session:
        user = account_repo.get_by_username(session, username)
        if not two_factor_repo.remove(session, user.id):
            raise DomainError("two_factor_not_enabled")
        ended = account_repo.revoke_all_sessions(session, user.id)
        record(session, actor_id, "auth.two_factor_reset", "user", user.id, sessions_ended=ended)

