"""Login, logout, the session behind each request, password changes and one's own sessions (QĐ44 Điều 21.2)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from config.settings import Settings
from models.audit import record
from models.db import transaction, utcnow
from models.errors import AuthFailed, DomainError
from models.org import repo as account_repo
from models.org.tables import Agency, User, UserSession
from models.org.throttle import (
    ThrottlePolicy,
    account_identity,
    device_token,
    seconds_left,
    throttle_key,
    verified_device,
)
from models.vocab import Role, SessionKind


@dataclass
class LoginResult:
    token: str
    user: User
    csrf_token: str
    must_change_password: bool
    # The signed known-device cookie for this browser and account (models/org/throttle.py).
    device_cookie: str = ""


def _policy(settings: Settings) -> ThrottlePolicy:
    return ThrottlePolicy(
        free_per_account=settings.login_max_failures, free_per_pair=settings.login_max_failures,
        free_per_client=settings.login_max_failures_per_client,
        base_delay=timedelta(seconds=settings.login_delay_seconds),
        max_delay=timedelta(minutes=settings.lockout_minutes),
        window=timedelta(minutes=settings.login_failure_window_minutes),
    )


def device_key(settings: Settings) -> bytes:
    """The key that signs known-device cookies: the configured secret, or one generated once.

    The generated key is written to a temporary file and linked into place, so web workers that
    start together all end up reading the same key.
    """
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value().encode()
    path = settings.var_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another worker won the race: use its key
        finally:
            draft.unlink()
    return path.read_text().strip().encode()


def _count_failure(session: Session, keys: dict[str, str], policy: ThrottlePolicy, now: datetime,
                   audit: tuple[int | None, int | str, str] | None) -> datetime | None:
    """Count a failed attempt under every key; return the end of the longest block it leaves, if
    any. ``audit`` (actor, subject, address): write an ``auth.throttled`` row for each blocked key."""
    longest = None
    for scope, scope_key in keys.items():
        row = account_repo.count_login_failure(session, scope, scope_key, policy, now)
        if row.blocked_until is not None and row.blocked_until > now:
            if audit is not None:
                actor, subject, ip_address = audit
                record(session, actor, "auth.throttled", "user", subject, scope=scope, failures=row.failures,
                       until=row.blocked_until.isoformat(), ip=ip_address)
            longest = row.blocked_until if longest is None else max(longest, row.blocked_until)
    return longest


def login(engine: Engine, settings: Settings, username: str, password: str, kind: SessionKind,
          user_agent: str = "", ip_address: str = "", device_cookie: str = "") -> LoginResult:
    """Authenticate and open a session, unless the attempt is throttled.

    1. Find which keys apply (``models.org.throttle``): a valid known-device cookie for this
       account replaces the client and account keys by the device's own pair key.
    2. While any of them is blocked, refuse with ``login_throttled`` and the seconds to wait,
       without checking the password (the same for every name, existing or not); the attempt
       counts as a failure, so each one made while blocked doubles the wait.
    3. Otherwise check the password. A failure counts under every key; when one becomes blocked
       the refusal says how long to wait, else it is ``bad_credentials``.
    4. A success clears its pair key (not the account key: an attacker elsewhere keeps being
       slowed), opens the session and signs a known-device cookie for this browser.

    Failures and blocks are audited and committed before raising.
    """
    now = utcnow()
    policy = _policy(settings)
    key = device_key(settings)
    name = account_identity(username)
    ip_address = ip_address[:64]
    failure: AuthFailed | None = None
    with transaction(engine) as session:
        account = account_repo.find_login_account(session, username)
        device = None
        if account is not None and device_cookie:
            device = verified_device(key, device_cookie, account.id, account.password_hash, now)
        client = f"device:{device}" if device else f"ip:{ip_address}"
        keys = {"pair": throttle_key("pair", f"{client}\x00{name}")}
        if device is None:
            keys["client"] = throttle_key("client", ip_address)
            keys["account"] = throttle_key("account", name)
        actor, subject = (account.id, account.id) if account else (None, name[:50])
        blocked = account_repo.throttle_refusal(session, keys, now)
        if blocked is not None:
            # Trying again while blocked is one more guess: it counts, so hammering only waits longer.
            longest = _count_failure(session, keys, policy, now, audit=None)
            record(session, actor, "auth.login_refused", "user", subject, reason="throttled", scope=blocked[0],
                   until=longest.isoformat(), ip=ip_address)
            failure = AuthFailed("login_throttled", seconds=seconds_left(longest, now))
        else:
            try:
                user = account_repo.authenticate(session, username, password, ip_address=ip_address)
            except AuthFailed as error:
                longest = _count_failure(session, keys, policy, now, audit=(actor, subject, ip_address))
                failure = error if longest is None else AuthFailed("login_throttled",
                                                                   seconds=seconds_left(longest, now))
            else:
                account_repo.clear_login_failures(session, keys["pair"])
                token, row = account_repo.open_session(
                    session, user, kind, timedelta(minutes=settings.session_idle_minutes),
                    user_agent=user_agent, ip_address=ip_address,
                )
                cookie = device_token(key, user.id, user.password_hash, device or secrets.token_hex(16), now)
                result = LoginResult(token, user, row.csrf_token, user.must_change_password, cookie)
    if failure is not None:
        raise failure
    return result


def logout(engine: Engine, session_id: int, user_id: int) -> None:
    """End the current session."""
    with transaction(engine) as session:
        account_repo.revoke_session(session, user_id, session_id, user_id)
        record(session, user_id, "auth.logout", "user", user_id)


@dataclass
class ResolvedSession:
    """Who is behind a session token, as the request's principal needs it."""

    row: UserSession
    user: User
    roles: set[Role]
    agency: Agency


def resolve_session(engine: Engine, token: str, kind: SessionKind, idle: timedelta) -> ResolvedSession | None:
    """The live session of a cookie or bearer token (its last use is recorded), or None."""
    with transaction(engine) as session:
        found = account_repo.resolve_session(session, token, kind, idle)
        if found is None:
            return None
        row, user = found
        return ResolvedSession(row, user, account_repo.roles_of(session, user.id), session.get(Agency, user.agency_id))


def change_password(engine: Engine, user: User, current: str, new: str, confirm: str) -> None:
    """Change one's own password against the policy; the forced change ends with it."""
    if new != confirm:
        raise DomainError("password_mismatch")
    with transaction(engine) as session:
        account_repo.change_password(session, session.merge(user), current, new)


def revoke_own_session(engine: Engine, user_id: int, session_id: int) -> None:
    """End one of one's own sessions (another device, or this one)."""
    with transaction(engine) as session:
        account_repo.revoke_session(session, user_id, session_id, user_id)
