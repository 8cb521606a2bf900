"""Accounts and people: login with throttling, sessions and API tokens, password changes, administration;
the plain lookups of agencies and units everyone uses.

QĐ44 Điều 21.2.b, d: strong passwords, growing delays after repeated failures (``throttle``),
forced change at first login, and an administrator who can lock and reset an account whose owner
lost control of it. Every login, failure and block is audited in the same transaction.

The organisation tree's own SQL lives beside this module: ``tree_repo`` (the tree and its writes),
``dated_repo`` (names and codes by date, who answers for a closed agency or unit) and
``handover_repo`` (open work and its handover in a reorganisation).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, update
from sqlmodel import Session, col, select

from models.audit import record
from models.db import insert_ignoring_conflict, utcnow
from models.errors import AuthFailed, Conflict, DomainError, NotFound
from models.org.passwords import check_policy, generate_password, hash_password, needs_rehash, verify_password
from models.org.tables import (
    Agency,
    LoginThrottle,
    OrgUnit,
    TwoFactor,
    User,
    UserRole,
    UserSession,
)
from models.org.throttle import ThrottlePolicy, account_identity
from models.text import refuse_unsafe_text
from models.vocab import Role, SessionKind

# Verified against when the username is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = hash_password("Dummy-password-1")


def hash_token(token: str) -> str:
    """Store only a SHA-256 of session tokens: a database leak does not leak sessions."""
    return hashlib.sha256(token.encode()).hexdigest()


def roles_of(session: Session, user_id: int) -> set[Role]:
    """Return the roles a person holds."""
    return {Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == user_id))}


def authenticate(session: Session, username: str, password: str, *, ip_address: str = "",
                 record_login: bool = True) -> User:
    """Check credentials; raise ``AuthFailed("bad_credentials")`` for every kind of refusal.

    1. Look the account up; an unknown name is verified against a dummy hash, so every path
       costs one argon2 verification.
    2. Refuse an unknown name, a wrong password, an account an administrator disabled and one
       inside an old lockout window alike: one code, one message, one cost, so the login form
       never tells whether a name exists. The audit row keeps the true reason.
    3. Right password: upgrade the hash if needed, audit the login (unless ``record_login`` is
       False: a second factor is still to come, and its caller audits the login).

    Throttling is the caller's (``throttle_refusal``, ``count_login_failure``); the caller
    commits even when this raises, so failures are audited.
    """
    now = utcnow()
    user = session.exec(select(User).where(User.username == account_identity(username))).first()
    correct = verify_password(user.password_hash if user is not None else _DUMMY_HASH, password)
    reason = ("unknown_user" if user is None else "disabled" if user.disabled
              else "locked" if user.locked_until is not None and user.locked_until > now
              else None if correct else "bad_password")
    if reason is not None:
        record(session, user.id if user else None, "auth.login_failed", "user",
               user.id if user else username[:50], reason=reason, ip=ip_address[:64])
        raise AuthFailed("bad_credentials")
    user.failed_logins = 0
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.add(user)
    if record_login:
        record(session, user.id, "auth.login", "user", user.id, ip=ip_address[:64])
    return user


def find_login_account(session: Session, username: str) -> User | None:
    """The account a login name designates, or None (used to check a known-device cookie)."""
    return session.exec(select(User).where(User.username == account_identity(username))).first()


def throttle_refusal(session: Session, keys: dict[str, str], now: datetime) -> tuple[str, datetime] | None:
    """The scope and end of the longest block among ``keys`` (scope → key) still running, or None."""
    rows = session.exec(select(LoginThrottle).where(col(LoginThrottle.key).in_(list(keys.values())),
                                                    col(LoginThrottle.blocked_until) > now))
    longest = max(rows, key=lambda row: row.blocked_until, default=None)
    return (longest.scope, longest.blocked_until) if longest is not None else None


def count_login_failure(session: Session, scope: str, key: str, policy: ThrottlePolicy,
                        now: datetime) -> LoginThrottle:
    """Count one failed login under a key and block it once past the free failures.

    Each failure past the allowance blocks the key again, for the doubled delay (never shorter
    than a block already running). The row is created if missing (``ON CONFLICT DO NOTHING``, so concurrent workers meet on one
    row), then read for update (PostgreSQL row lock; SQLite writes are already serialised), so
    two failures at once both count. A count older than ``policy.window`` starts afresh.
    """
    insert_ignoring_conflict(session, LoginThrottle.__table__,
                             {"key": key, "scope": scope, "failures": 0, "last_failure_at": now}, ["key"])
    row = session.exec(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()).one()
    session.refresh(row)
    fresh = row.failures == 0 or now - row.last_failure_at > policy.window
    row.failures = 1 if fresh else min(row.failures + 1, 1_000_000)
    row.last_failure_at = now
    delay = policy.delay(scope, row.failures)
    if delay is not None:
        row.blocked_until = max(now + delay, row.blocked_until or now)
    session.add(row)
    session.flush()
    return row


def clear_login_failures(session: Session, key: str) -> None:
    """Forget a key's failures (a successful login from that client for that account)."""
    session.execute(delete(LoginThrottle).where(col(LoginThrottle.key) == key))


def open_session(
    session: Session, user: User, kind: SessionKind, lifetime: timedelta,
    user_agent: str = "", ip_address: str = "",
) -> tuple[str, UserSession]:
    """Create a session or API token; return the clear token (shown once) and the row."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=hash_token(token), user_id=user.id, kind=kind,
        csrf_token=secrets.token_urlsafe(32), expires_at=utcnow() + lifetime,
        user_agent=user_agent[:300], ip_address=ip_address[:64],
    )
    session.add(row)
    session.flush()
    return token, row


# A session's last use is written at most this often: not on every request.
SLIDE_EVERY = timedelta(minutes=1)


@dataclass
class LiveSession:
    """A live session with what every request needs of its person."""

    row: UserSession
    user: User
    agency: Agency
    two_factor: bool  # enrolled in two-factor login


def live_session(session: Session, token: str, kind: SessionKind) -> LiveSession | None:
    """The live session of a token with its person and their agency; None when absent, expired,
    revoked or disabled. One statement: every request makes it (the roles are ``roles_of``). A read:
    it must not take SQLite's write lock (the last use is written by ``slide_session``)."""
    enrolled = exists().where(TwoFactor.user_id == User.id)
    found = session.exec(
        select(UserSession, User, Agency, enrolled)
        .join(User, col(User.id) == UserSession.user_id).join(Agency, col(Agency.id) == User.agency_id)
        .where(UserSession.token_hash == hash_token(token))).first()
    if found is None:
        return None
    row, user, agency, two_factor = found
    if row.kind != kind or row.revoked_at is not None or row.expires_at <= utcnow() or user.disabled:
        return None
    return LiveSession(row, user, agency, bool(two_factor))


def slide_session(session: Session, row: UserSession, idle: timedelta) -> None:
    """Record a session's use and push its expiry ``idle`` ahead, unless done within ``SLIDE_EVERY``.

    Conditional on the last use read before, so requests racing on one session write it once, and
    never on a session revoked meanwhile.
    """
    now = utcnow()
    if now - row.last_seen_at <= SLIDE_EVERY:
        return
    expires_at = max(row.expires_at, now + idle)
    session.execute(update(UserSession).where(
        col(UserSession.id) == row.id, col(UserSession.revoked_at).is_(None),
        col(UserSession.last_seen_at) < now - SLIDE_EVERY).values(last_seen_at=now, expires_at=expires_at))
    row.last_seen_at, row.expires_at = now, expires_at


def live_session_user_id(session: Session, token: str, kind: SessionKind) -> int | None:
    """Whose live session a token is, without sliding its expiry (a read)."""
    found = live_session(session, token, kind)
    return found.user.id if found else None


def active_sessions(session: Session, user_id: int) -> list[UserSession]:
    """The user's sessions and tokens that are still valid, newest first."""
    return list(session.exec(
        select(UserSession)
        .where(UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None),
               UserSession.expires_at > utcnow())
        .order_by(col(UserSession.created_at).desc())
    ))


def revoke_session(session: Session, user_id: int, session_id: int, actor_id: int) -> None:
    """End one of the user's own sessions (or, for an administrator, anyone's)."""
    result = session.execute(
        update(UserSession)
        .where(col(UserSession.id) == session_id, col(UserSession.user_id) == user_id,
               col(UserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    if result.rowcount != 1:
        raise NotFound("session_not_found")
    record(session, actor_id, "auth.session_revoked", "user", user_id, session_id=session_id)


def revoke_all_sessions(session: Session, user_id: int) -> int:
    """End every session of a user (lock, reset)."""
    result = session.execute(
        update(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Change one's own password: the current one must match, the new one meet the policy."""
    if not verify_password(user.password_hash, current):
        raise DomainError("wrong_current_password")
    check_policy(new)
    if verify_password(user.password_hash, new):
        raise DomainError("password_unchanged")
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    session.add(user)
    record(session, user.id, "auth.password_changed", "user", user.id)


def password_expired(user: User, max_age_days: int, now: datetime | None = None) -> bool:
    """Tell whether the password is older than the configured age (a reminder, not a block)."""
    return ((now or utcnow()) - user.password_changed_at) > timedelta(days=max_age_days)


def create_user(
    session: Session, *, username: str, full_name: str, agency_code: str, roles: list[Role],
    position: str = "", unit_abbreviation: str | None = None, email: str = "",
    password: str | None = None, must_change_password: bool = True, actor_id: int | None = None,
) -> tuple[User, str]:
    """Create an account; return it and its initial password (generated when not given)."""
    refuse_unsafe_text(multiline=False, username=username, full_name=full_name, position=position, email=email)
    username = username.strip()
    if not username or session.exec(select(User).where(User.username == username)).first():
        raise Conflict("username_taken", username=username)
    agency = session.exec(select(Agency).where(Agency.code == agency_code)).first()
    if agency is None:
        raise NotFound("agency_not_found", agency_code=agency_code)
    unit_id = None
    if unit_abbreviation:
        unit = session.exec(select(OrgUnit).where(OrgUnit.agency_id == agency.id,
                                                  OrgUnit.abbreviation == unit_abbreviation)).first()
        if unit is None:
            raise NotFound("unit_not_found", unit=unit_abbreviation)
        unit_id = unit.id
    password = password or generate_password()
    check_policy(password)
    user = User(username=username, full_name=full_name, agency_id=agency.id, unit_id=unit_id,
                position=position, email=email, password_hash=hash_password(password),
                must_change_password=must_change_password)
    session.add(user)
    session.flush()
    for role in set(roles):
        session.add(UserRole(user_id=user.id, role=role))
    record(session, actor_id, "user.created", "user", user.id, username=username,
           roles=sorted(str(r) for r in roles))
    return user, password


def get_by_username(session: Session, username: str) -> User:
    """Return a user by login name."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("user_not_found", username=username)
    return user


def lock_user(session: Session, user: User, actor_id: int | None, reason: str) -> None:
    """Disable an account and end its sessions (lost control, departure)."""
    user.disabled = True
    session.add(user)
    ended = revoke_all_sessions(session, user.id)
    record(session, actor_id, "user.locked", "user", user.id, reason=reason, sessions_ended=ended)


def reset_user(session: Session, user: User, actor_id: int | None) -> str:
    """Re-enable an account with a new one-time password; its owner must change it at login."""
    password = generate_password()
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = True
    user.disabled = False
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    ended = revoke_all_sessions(session, user.id)
    record(session, actor_id, "user.reset", "user", user.id, sessions_ended=ended)
    return password


@dataclass
class AccountsOverview:
    """What the administrator's account page lists."""

    users: list[User]
    user_roles: dict[int, list[str]]
    agencies: dict[int, Agency]
    hosted_agencies: list[Agency]
    units: list[OrgUnit]


def accounts_overview(session: Session) -> AccountsOverview:
    """Every account with its roles, and the agencies and units an account can be created in."""
    users = list(session.exec(select(User).order_by(User.username)))
    roles: dict[int, list[str]] = {}
    for row in session.exec(select(UserRole)):
        roles.setdefault(row.user_id, []).append(row.role)
    agencies = {agency.id: agency for agency in session.exec(select(Agency))}
    hosted = [agency for agency in agencies.values() if agency.hosted and agency.valid_to is None]
    return AccountsOverview(users, roles, agencies, hosted, list(session.exec(select(OrgUnit))))


def units_of(session: Session, agency_id: int, *, current_only: bool = False) -> list[OrgUnit]:
    """An agency's units by name; ``current_only`` leaves out closed ones."""
    query = select(OrgUnit).where(OrgUnit.agency_id == agency_id)
    if current_only:
        query = query.where(col(OrgUnit.valid_to).is_(None))
    return list(session.exec(query.order_by(OrgUnit.name)))


def all_agencies_with_units(session: Session) -> list[tuple[Agency, list[OrgUnit]]]:
    """Every agency (by id) with its units (by id): the organisation tree of API v1."""
    units: dict[int, list[OrgUnit]] = {}
    for unit in session.exec(select(OrgUnit).order_by(OrgUnit.id)):
        units.setdefault(unit.agency_id, []).append(unit)
    return [(agency, units.get(agency.id, [])) for agency in session.exec(select(Agency).order_by(Agency.id))]


def other_hosted_agencies(session: Session, agency_id: int) -> list[Agency]:
    """The agencies of this installation in force today, but ``agency_id``, by code (recipients)."""
    return list(session.exec(select(Agency).where(Agency.hosted == True, Agency.id != agency_id,  # noqa: E712
                                                  col(Agency.valid_to).is_(None)).order_by(Agency.code)))


def agency_by_id(session: Session, agency_id: int) -> Agency:
    """An agency by id, or ``agency_not_found``."""
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("agency_not_found", agency_id=agency_id)
    return agency


def agency_by_code(session: Session, code: str) -> Agency | None:
    """The agency whose current QCVN 102 code this is."""
    return session.exec(select(Agency).where(Agency.code == code)).first()


def unit_by_id(session: Session, unit_id: int) -> OrgUnit:
    """A unit by id, or ``unit_not_found``."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("unit_not_found", unit_id=unit_id)
    return unit


def people_of(session: Session, agency_id: int) -> list[User]:
    """An agency's active accounts by name (the focal văn thư is chosen among them)."""
    return list(session.exec(select(User).where(User.agency_id == agency_id, User.disabled == False)  # noqa: E712
                             .order_by(User.full_name)))
