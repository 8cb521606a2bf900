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
from models.db import reading, transaction, utcnow
from models.errors import AuthFailed, DomainError, Forbidden
from models.org import repo as account_repo
from models.org import two_factor_repo
from models.org.tables import Agency, TwoFactor, User, UserSession
from models.org.throttle import (
    ThrottlePolicy,
    account_identity,
    device_token,
    seconds_left,
    throttle_key,
    verified_device,
)
from models.org.two_factor import (
    decrypt_secret,
    looks_like_totp,
    matching_step,
    pending_token,
    pending_user_id,
    pending_valid,
    recovery_hash,
)
from models.vocab import Role, SessionKind

# The roles that must log in with a second factor (QĐ44 Điều 21.2): enrolment comes first.
_ENROLMENT_ROLES = frozenset({Role.ADMIN, Role.SYSTEM_ADMIN})


@dataclass
class LoginResult:
    token: str
    user: User
    csrf_token: str
    must_change_password: bool
    # The signed known-device cookie for this browser and account (models/org/throttle.py).
    device_cookie: str = ""
    # An administrator without a second factor: enrolment comes next (after a password change).
    must_enrol_two_factor: bool = False


@dataclass
class SecondStep:
    """The password was right and the person has a second factor: no session yet, only the
    short-lived signed state (``pending``) that the code form sends back."""

    pending: str
    user: User


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


def _throttle_keys(name: str, ip_address: str, device: str | None) -> dict[str, str]:
    """The keys a login attempt counts under (``models.org.throttle``): a known device replaces
    the client and account keys by its own pair key."""
    client = f"device:{device}" if device else f"ip:{ip_address}"
    keys = {"pair": throttle_key("pair", f"{client}\x00{name}")}
    if device is None:
        keys["client"] = throttle_key("client", ip_address)
        keys["account"] = throttle_key("account", name)
    return keys


def _open(session: Session, settings: Settings, key: bytes, user: User, kind: SessionKind, keys: dict[str, str],
          device: str | None, now: datetime, user_agent: str, ip_address: str) -> LoginResult:
    """The end of a successful login: the pair key forgiven, the session, the device cookie."""
    account_repo.clear_login_failures(session, keys["pair"])
    token, row = account_repo.open_session(
        session, user, kind, timedelta(minutes=settings.session_idle_minutes),
        user_agent=user_agent, ip_address=ip_address,
    )
    cookie = device_token(key, user.id, user.password_hash, device or secrets.token_hex(16), now)
    must_enrol = (bool(_ENROLMENT_ROLES & account_repo.roles_of(session, user.id))
                  and not two_factor_repo.has_factor(session, user.id))
    return LoginResult(token, user, row.csrf_token, user.must_change_password, cookie, must_enrol)


def _second_factor(session: Session, key: bytes, user: User, factor: TwoFactor, code: str, keys: dict[str, str],
                   policy: ThrottlePolicy, now: datetime, ip_address: str) -> AuthFailed | None:
    """Check a TOTP code or a recovery code; None when accepted (the login is then audited),
    else the refusal to raise. A wrong code counts as a failed login under every key."""
    method = None
    if looks_like_totp(code):
        secret = decrypt_secret(key, factor.secret)
        step = matching_step(secret, code, now, factor.last_step) if secret else None
        if step is not None and two_factor_repo.advance_step(session, user.id, step):
            method = "totp"
    elif code.strip() and two_factor_repo.use_recovery_code(session, user.id, recovery_hash(key, code), now):
        method = "recovery_code"
        record(session, user.id, "auth.recovery_code_used", "user", user.id, ip=ip_address,
               left=two_factor_repo.recovery_codes_left(session, user.id))
    if method is None:
        record(session, user.id, "auth.login_failed", "user", user.id, reason="bad_second_factor", ip=ip_address)
        longest = _count_failure(session, keys, policy, now, audit=(user.id, user.id, ip_address))
        if longest is not None:
            return AuthFailed("login_throttled", seconds=seconds_left(longest, now))
        return AuthFailed("otp_invalid")
    record(session, user.id, "auth.login", "user", user.id, ip=ip_address, second_factor=method)
    return None


def login(engine: Engine, settings: Settings, username: str, password: str, kind: SessionKind,
          user_agent: str = "", ip_address: str = "", device_cookie: str = "",
          otp: str | None = None) -> LoginResult | SecondStep:
    """Authenticate and open a session, unless the attempt is throttled.

    1. Find which keys apply (``models.org.throttle``): a valid known-device cookie for this
       account replaces the client and account keys by the device's own pair key.
    2. While any of them is blocked, refuse with ``login_throttled`` and the seconds to wait,
       without checking the password (the same for every name, existing or not); the attempt
       counts as a failure, so each one made while blocked doubles the wait.
    3. Otherwise check the password. A failure counts under every key; when one becomes blocked
       the refusal says how long to wait, else it is ``bad_credentials``.
    4. A person with a second factor (``models.org.two_factor``) then needs a code: the browser
       gets a ``SecondStep`` (no session yet) and sends the code to ``complete_login``; API v1
       sends it along as ``otp`` and is refused with ``otp_required`` without it. A wrong code
       counts like a wrong password.
    5. An administrator without a second factor gets no API v1 token (``two_factor_enrolment_required``):
       the browser sends them to the enrolment page, API v1 cannot, so they enrol in the web app first.
    6. A success clears its pair key (not the account key: an attacker elsewhere keeps being
       slowed), opens the session and signs a known-device cookie for this browser.

    Failures and blocks are audited and committed before raising.
    """
    now = utcnow()
    policy = _policy(settings)
    key = device_key(settings)
    name = account_identity(username)
    ip_address = ip_address[:64]
    failure: DomainError | None = None
    with transaction(engine) as session:
        account = account_repo.find_login_account(session, username)
        device = None
        if account is not None and device_cookie:
            device = verified_device(key, device_cookie, account.id, account.password_hash, now)
        keys = _throttle_keys(name, ip_address, device)
        actor, subject = (account.id, account.id) if account else (None, name[:50])
        factor = two_factor_repo.factor_of(session, account.id) if account is not None else None
        must_enrol_first = (kind == SessionKind.API and account is not None and factor is None
                            and bool(_ENROLMENT_ROLES & account_repo.roles_of(session, account.id)))
        blocked = account_repo.throttle_refusal(session, keys, now)
        if blocked is not None:
            # Trying again while blocked is one more guess: it counts, so hammering only waits longer.
            longest = _count_failure(session, keys, policy, now, audit=None)
            record(session, actor, "auth.login_refused", "user", subject, reason="throttled", scope=blocked[0],
                   until=longest.isoformat(), ip=ip_address)
            failure = AuthFailed("login_throttled", seconds=seconds_left(longest, now))
        else:
            try:
                user = account_repo.authenticate(session, username, password, ip_address=ip_address,
                                                 record_login=factor is None and not must_enrol_first)
            except AuthFailed as error:
                longest = _count_failure(session, keys, policy, now, audit=(actor, subject, ip_address))
                failure = error if longest is None else AuthFailed("login_throttled",
                                                                   seconds=seconds_left(longest, now))
            else:
                if must_enrol_first:
                    record(session, user.id, "auth.login_refused", "user", user.id,
                           reason="two_factor_enrolment_required", ip=ip_address)
                    failure = Forbidden("two_factor_enrolment_required")
                elif factor is None:
                    result = _open(session, settings, key, user, kind, keys, device, now, user_agent, ip_address)
                elif otp is None and kind == SessionKind.WEB:
                    result = SecondStep(pending_token(key, user.id, user.password_hash, now), user)
                elif not (otp or "").strip():
                    record(session, user.id, "auth.login_refused", "user", user.id, reason="otp_missing",
                           ip=ip_address)
                    failure = AuthFailed("otp_required")
                else:
                    failure = _second_factor(session, key, user, factor, otp, keys, policy, now, ip_address)
                    if failure is None:
                        result = _open(session, settings, key, user, kind, keys, device, now, user_agent,
                                       ip_address)
    if failure is not None:
        raise failure
    return result


def complete_login(engine: Engine, settings: Settings, pending: str, code: str, kind: SessionKind,
                   user_agent: str = "", ip_address: str = "", device_cookie: str = "") -> LoginResult:
    """The second step of a browser login: the signed pending state and a code.

    The state must be live and signed for the account's current password (``login_expired``
    otherwise: log in again). The attempt is throttled under the same keys as the password, and
    a wrong code counts as a failure under each of them.
    """
    now = utcnow()
    policy = _policy(settings)
    key = device_key(settings)
    ip_address = ip_address[:64]
    failure: AuthFailed | None = None
    with transaction(engine) as session:
        user_id = pending_user_id(pending)
        user = session.get(User, user_id) if user_id is not None else None
        factor = two_factor_repo.factor_of(session, user.id) if user is not None else None
        if (user is None or factor is None or user.disabled
                or not pending_valid(key, pending, user.id, user.password_hash, now)):
            failure = AuthFailed("login_expired")
        else:
            device = verified_device(key, device_cookie, user.id, user.password_hash, now) if device_cookie else None
            keys = _throttle_keys(account_identity(user.username), ip_address, device)
            blocked = account_repo.throttle_refusal(session, keys, now)
            if blocked is not None:
                longest = _count_failure(session, keys, policy, now, audit=None)
                record(session, user.id, "auth.login_refused", "user", user.id, reason="throttled",
                       scope=blocked[0], until=longest.isoformat(), ip=ip_address)
                failure = AuthFailed("login_throttled", seconds=seconds_left(longest, now))
            else:
                failure = _second_factor(session, key, user, factor, code, keys, policy, now, ip_address)
                if failure is None:
                    result = _open(session, settings, key, user, kind, keys, device, now, user_agent, ip_address)
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
    two_factor: bool = False


def resolve_session(engine: Engine, token: str, kind: SessionKind, idle: timedelta) -> ResolvedSession | None:
    """The live session of a cookie or bearer token, or None. Every request asks, so it is read in a
    read transaction; its last use is written apart, at most once a minute (``slide_session``)."""
    with reading(engine) as session:
        found = account_repo.live_session(session, token, kind)
        if found is None:
            return None
        resolved = ResolvedSession(found.row, found.user, account_repo.roles_of(session, found.user.id),
                                   found.agency, found.two_factor)
        session.expunge_all()  # loaded as they are: the read's closing rollback would expire them
    if utcnow() - found.row.last_seen_at > account_repo.SLIDE_EVERY:
        with transaction(engine) as session:
            account_repo.slide_session(session, found.row, idle)
    return resolved


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
