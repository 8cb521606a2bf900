"""Accounts: login with throttling, sessions and API tokens, password changes, administration.

QĐ44 Điều 21.2.b, d: strong passwords, growing delays after repeated failures (``throttle``),
forced change at first login, and an administrator who can lock and reset an account whose owner
lost control of it. Every login, failure and block is audited in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from models.audit import record
from models.db import insert_ignoring_conflict, utcnow
from models.documents.tables import Document
from models.errors import AuthFailed, Conflict, DomainError, NotFound
from models.org.passwords import check_policy, generate_password, hash_password, needs_rehash, verify_password
from models.org.rules import in_force, overlaps, period_text
from models.org.tables import (
    Agency,
    AgencyCode,
    AgencyName,
    LoginThrottle,
    OrgUnit,
    User,
    UserRole,
    UserSession,
)
from models.org.throttle import ThrottlePolicy, account_identity
from models.records.tables import RecordFile
from models.registers.numbering import vietnam_date
from models.registers.tables import Register, RegisterEntry
from models.tasks.tables import Task
from models.text import refuse_unsafe_text
from models.vocab import DocumentStatus, Role, SessionKind, TaskStatus

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


def resolve_session(session: Session, token: str, kind: SessionKind,
                    idle: timedelta) -> tuple[UserSession, User] | None:
    """Find the live session of a token and slide its expiry; None when absent or expired."""
    now = utcnow()
    row = session.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    if row is None or row.kind != kind or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    if (now - row.last_seen_at) > timedelta(minutes=1):  # avoid a write on every request
        row.last_seen_at = now
        row.expires_at = max(row.expires_at, now + idle)
        session.add(row)
    return row, user


def live_session_user_id(session: Session, token: str, kind: SessionKind) -> int | None:
    """Whose live session a token is, without sliding its expiry (a read)."""
    row = session.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    if row is None or row.kind != kind or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row.user_id


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


# --- the organisation tree: administration and resolution by date (DOMAIN §10.3) -----------

_OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.COMPLETING)
_PENDING_DOCUMENT_STATUSES = (DocumentStatus.NEW, DocumentStatus.REGISTERED, DocumentStatus.DIRECTED,
                              DocumentStatus.IN_PROGRESS, DocumentStatus.DRAFT, DocumentStatus.IN_REVIEW,
                              DocumentStatus.SIGNED)
_MAX_SUCCESSION = 10  # successors followed at most (a cycle of aliases cannot loop for ever)


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


def codes_of(session: Session, agency_id: int) -> list[AgencyCode]:
    """Every code an agency has held or holds, oldest first."""
    return list(session.exec(select(AgencyCode).where(AgencyCode.agency_id == agency_id)
                             .order_by(AgencyCode.scheme, col(AgencyCode.valid_from).nulls_first(), AgencyCode.id)))


def former_names(session: Session, agency_id: int) -> list[AgencyName]:
    """The names an agency bore before its renames, oldest first."""
    return list(session.exec(select(AgencyName).where(AgencyName.agency_id == agency_id)
                             .order_by(AgencyName.valid_to)))


def code_holders(session: Session, code: str) -> list[AgencyCode]:
    """Every row of a code, in either scheme, whatever agency held it."""
    return list(session.exec(select(AgencyCode).where(AgencyCode.code == code).order_by(AgencyCode.id)))


def check_code_free(session: Session, code: str, valid_from: date | None, valid_to: date | None,
                    *, agency_id: int | None = None) -> None:
    """Refuse a code another agency holds on a day of the interval, or this agency already holds then.

    ``agency_code_in_use`` names the holder and the interval it holds the code for.
    """
    for row in code_holders(session, code):
        if overlaps(row.valid_from, row.valid_to, valid_from, valid_to):
            holder = session.get(Agency, row.agency_id)
            raise Conflict("agency_code_in_use", agency_code=code, holder=holder.name if holder else "",
                           period=period_text(row.valid_from, row.valid_to),
                           same_agency=row.agency_id == agency_id)
    current = agency_by_code(session, code)
    if (current is not None and current.id != agency_id
            and overlaps(current.valid_from, current.valid_to, valid_from, valid_to)):
        raise Conflict("agency_code_in_use", agency_code=code, holder=current.name,
                       period=period_text(current.valid_from, current.valid_to), same_agency=False)


def add_agency(session: Session, agency: Agency, actor_id: int | None) -> Agency:
    """Insert an agency with its code rows in both schemes; audited."""
    session.add(agency)
    session.flush()
    session.add(AgencyCode(agency_id=agency.id, code=agency.code, scheme="qcvn102",
                           valid_from=agency.valid_from, valid_to=agency.valid_to))
    if agency.qd20_code:
        session.add(AgencyCode(agency_id=agency.id, code=agency.qd20_code, scheme="qd20",
                               valid_from=agency.valid_from, valid_to=agency.valid_to))
    record(session, actor_id, "org.agency_created", "agency", agency.id, agency_code=agency.code,
           qd20_code=agency.qd20_code or "", name=agency.name, parent_id=agency.parent_id,
           valid_from=_iso(agency.valid_from), valid_to=_iso(agency.valid_to))
    session.flush()
    return agency


def add_code(session: Session, agency: Agency, *, code: str, scheme: str, valid_from: date | None,
             valid_to: date | None, note: str, actor_id: int | None) -> AgencyCode:
    """Give an agency another code (an alias, an old code) for an interval; audited."""
    row = AgencyCode(agency_id=agency.id, code=code, scheme=scheme, valid_from=valid_from, valid_to=valid_to,
                     note=note)
    session.add(row)
    session.flush()
    record(session, actor_id, "org.alias_added", "agency", agency.id, alias=code, scheme=scheme,
           valid_from=_iso(valid_from), valid_to=_iso(valid_to), via="admin")
    return row


def end_code(session: Session, row: AgencyCode, valid_to: date, actor_id: int | None) -> None:
    """Close one code row on a day (the code stays, for documents issued under it); audited."""
    row.valid_to = valid_to
    session.add(row)
    record(session, actor_id, "org.alias_ended", "agency", row.agency_id, alias=row.code, scheme=row.scheme,
           valid_to=_iso(valid_to))


def rename_agency(session: Session, agency: Agency, *, name: str, place_name: str, effective: date,
                  actor_id: int | None) -> None:
    """Give an agency a new name (and place name) from ``effective``; the old one is kept with its dates."""
    history = former_names(session, agency.id)
    started = history[-1].valid_to + timedelta(days=1) if history else agency.valid_from
    session.add(AgencyName(agency_id=agency.id, name=agency.name, place_name=agency.place_name,
                           valid_from=started, valid_to=effective - timedelta(days=1)))
    record(session, actor_id, "org.agency_name_changed", "agency", agency.id, agency_code=agency.code,
           old_name=agency.name, name=name, old_place_name=agency.place_name, place_name=place_name,
           effective=_iso(effective))
    agency.name, agency.place_name = name, place_name
    session.add(agency)


def last_rename(session: Session, agency_id: int) -> date | None:
    """The first day of the name in force now (None when never renamed)."""
    history = former_names(session, agency_id)
    return history[-1].valid_to + timedelta(days=1) if history else None


def agency_ancestors(session: Session, agency: Agency) -> list[int]:
    """The ids above an agency in the tree, nearest first (bounded against a corrupt cycle)."""
    found: list[int] = []
    parent_id = agency.parent_id
    while parent_id is not None and parent_id not in found and len(found) < 100:
        found.append(parent_id)
        parent = session.get(Agency, parent_id)
        parent_id = parent.parent_id if parent else None
    return found


def unit_ancestors(session: Session, unit: OrgUnit) -> list[int]:
    """The ids of the units above a unit, nearest first."""
    found: list[int] = []
    parent_id = unit.parent_id
    while parent_id is not None and parent_id not in found and len(found) < 100:
        found.append(parent_id)
        parent = session.get(OrgUnit, parent_id)
        parent_id = parent.parent_id if parent else None
    return found


@dataclass
class OpenWork:
    """What still runs in an agency or unit: closing it would orphan this work."""

    tasks: int = 0
    pending_registered: dict[str, int] | None = None  # register name → pending documents this year
    users: list[str] | None = None  # active accounts
    child_units: list[str] | None = None
    child_agencies: list[str] | None = None

    @property
    def empty(self) -> bool:
        return not (self.tasks or self.pending_registered or self.users or self.child_units or self.child_agencies)


def agency_open_work(session: Session, agency_id: int, year: int) -> OpenWork:
    """Open tasks, registers with pending documents this year, active accounts, open units and agencies below."""
    tasks = session.exec(select(func.count()).select_from(Task).where(
        Task.agency_id == agency_id, col(Task.status).in_(_OPEN_TASK_STATUSES))).one()
    pending: dict[str, int] = {}
    rows = session.exec(
        select(Register.name, func.count()).select_from(RegisterEntry)
        .join(Register, col(Register.id) == RegisterEntry.register_id)
        .join(Document, col(Document.id) == RegisterEntry.document_id)
        .where(Register.agency_id == agency_id, Register.active == True,  # noqa: E712
               RegisterEntry.year == year, col(Document.status).in_(_PENDING_DOCUMENT_STATUSES))
        .group_by(Register.name))
    for name, count in rows:
        pending[name] = count
    users = list(session.exec(select(User.username).where(User.agency_id == agency_id, User.disabled == False)  # noqa: E712
                              .order_by(User.username)))
    units = list(session.exec(select(OrgUnit.name).where(OrgUnit.agency_id == agency_id,
                                                          col(OrgUnit.valid_to).is_(None)).order_by(OrgUnit.name)))
    agencies = list(session.exec(select(Agency.name).where(Agency.parent_id == agency_id,
                                                            col(Agency.valid_to).is_(None)).order_by(Agency.name)))
    return OpenWork(tasks, pending, users, units, agencies)


def unit_open_work(session: Session, unit_id: int) -> OpenWork:
    """Open tasks of a unit, its active accounts and its open sub-units."""
    tasks = session.exec(select(func.count()).select_from(Task).where(
        Task.unit_id == unit_id, col(Task.status).in_(_OPEN_TASK_STATUSES))).one()
    users = list(session.exec(select(User.username).where(User.unit_id == unit_id, User.disabled == False)  # noqa: E712
                              .order_by(User.username)))
    units = list(session.exec(select(OrgUnit.name).where(OrgUnit.parent_id == unit_id,
                                                          col(OrgUnit.valid_to).is_(None)).order_by(OrgUnit.name)))
    return OpenWork(tasks, {}, users, units, [])


def name_on(session: Session, agency: Agency, day: date | None) -> tuple[str, str]:
    """The agency's name and place name in force on ``day`` (today's when None or after every rename)."""
    if day is not None:
        for row in former_names(session, agency.id):
            if in_force(row.valid_from, row.valid_to, day):
                return row.name, row.place_name
    return agency.name, agency.place_name


def agency_holding(session: Session, code: str, on: date) -> Agency | None:
    """The agency that held ``code`` (either scheme, an alias too) on ``on``, without following successors.

    A code no row covers on that date falls back to the agency whose current code it is, then to
    the last agency that held it.
    """
    rows = code_holders(session, code)
    held = [row for row in rows if in_force(row.valid_from, row.valid_to, on)]
    if held:
        return session.get(Agency, held[0].agency_id)
    current = agency_by_code(session, code)
    if current is not None:
        return current
    if rows:
        latest = max(rows, key=lambda row: (row.valid_to or date.max, row.id))
        return session.get(Agency, latest.agency_id)
    return None


def successor_of(session: Session, agency: Agency) -> Agency | None:
    """The agency that received a closed agency's work: the one holding one of its codes after its end."""
    if agency.valid_to is None:
        return None
    codes = {row.code for row in codes_of(session, agency.id)} | {agency.code}
    row = session.exec(select(AgencyCode).where(col(AgencyCode.code).in_(codes), AgencyCode.agency_id != agency.id,
                                                col(AgencyCode.valid_from) > agency.valid_to)
                       .order_by(AgencyCode.valid_from, AgencyCode.id)).first()
    return session.get(Agency, row.agency_id) if row is not None else None


def resolve_agency_code(session: Session, code: str, on: date | None = None, *, today: date | None = None) -> Agency | None:
    """The agency an incoming code designates for a document dated ``on`` (DOMAIN §10.3.2).

    The code is looked up through the code rows valid on the document's date (its own codes and
    aliases, either scheme); when that agency is closed by ``today``, its work went to the successor
    holding one of its codes as an alias after its end, followed as far as it goes. Documents keep
    the code they were issued under: this only says who answers for them now.
    """
    today = today or vietnam_date(utcnow())
    agency = agency_holding(session, code.strip(), on or today)
    seen: set[int] = set()
    while (agency is not None and agency.valid_to is not None and agency.valid_to < today
           and agency.id not in seen and len(seen) < _MAX_SUCCESSION):
        seen.add(agency.id)
        following = successor_of(session, agency)
        if following is None:
            break
        agency = following
    return agency


def organisation_tree(session: Session) -> tuple[list[Agency], dict[int, list[OrgUnit]], dict[int, list[AgencyCode]],
                                                 dict[int, list[AgencyName]]]:
    """Every agency by code with its units, codes and former names: the administrator's page."""
    agencies = list(session.exec(select(Agency).order_by(col(Agency.valid_to).is_not(None), Agency.code)))
    units: dict[int, list[OrgUnit]] = {}
    for unit in session.exec(select(OrgUnit).order_by(OrgUnit.name)):
        units.setdefault(unit.agency_id, []).append(unit)
    codes: dict[int, list[AgencyCode]] = {}
    for row in session.exec(select(AgencyCode).order_by(AgencyCode.scheme, AgencyCode.id)):
        codes.setdefault(row.agency_id, []).append(row)
    names: dict[int, list[AgencyName]] = {}
    for row in session.exec(select(AgencyName).order_by(AgencyName.valid_to)):
        names.setdefault(row.agency_id, []).append(row)
    return agencies, units, codes, names


def people_of(session: Session, agency_id: int) -> list[User]:
    """An agency's active accounts by name (the focal văn thư is chosen among them)."""
    return list(session.exec(select(User).where(User.agency_id == agency_id, User.disabled == False)  # noqa: E712
                             .order_by(User.full_name)))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def move_people(session: Session, from_agency_id: int, to_agency_id: int, actor_id: int | None) -> list[str]:
    """Move an agency's active accounts to another agency (a reorganisation), outside any unit; audited."""
    moved = []
    for user in session.exec(select(User).where(User.agency_id == from_agency_id, User.disabled == False)  # noqa: E712
                             .order_by(User.username)):
        record(session, actor_id, "user.moved", "user", user.id, from_agency_id=from_agency_id,
               to_agency_id=to_agency_id, from_unit_id=user.unit_id, via="reorganisation")
        user.agency_id, user.unit_id = to_agency_id, None
        session.add(user)
        moved.append(user.username)
    session.flush()
    return moved


def close_open_units(session: Session, agency_id: int, valid_to: date, actor_id: int | None) -> list[str]:
    """Close every unit of an agency still in force, on the agency's last day; audited."""
    closed = []
    for unit in session.exec(select(OrgUnit).where(OrgUnit.agency_id == agency_id, col(OrgUnit.valid_to).is_(None))
                             .order_by(OrgUnit.name)):
        unit.valid_to = valid_to
        session.add(unit)
        record(session, actor_id, "org.unit_closed", "unit", unit.id, name=unit.name, valid_to=valid_to.isoformat(),
               via="reorganisation")
        closed.append(unit.name)
    session.flush()
    return closed


def close_registers(session: Session, agency_id: int, actor_id: int | None) -> list[str]:
    """Close an agency's active registers: their series end with the agency (DOMAIN §10.3.4); audited."""
    closed = []
    for register in session.exec(select(Register).where(Register.agency_id == agency_id,
                                                         Register.active == True)):  # noqa: E712
        register.active = False
        session.add(register)
        record(session, actor_id, "register.closed", "register", register.id, agency_id=agency_id,
               name=register.name)
        closed.append(register.name)
    session.flush()
    return closed


def answering_agency(session: Session, agency_id: int, on: date | None = None) -> int:
    """The agency that answers for ``agency_id``'s work: itself unless it is closed (before ``on`` when
    given; with ``on`` None as soon as its closing is decided, since a reorganisation hands the work over
    when it is applied), else its successor, followed as far as it goes (DOMAIN §10.3.4).

    Running workflows carry the agency they started in; the activities that open a step or take a
    number ask this, so a step of a merged agency opens for the agency that took its work over.
    """
    agency = session.get(Agency, agency_id)
    seen: set[int] = set()
    while (agency is not None and agency.valid_to is not None and (on is None or agency.valid_to < on)
           and agency.id not in seen and len(seen) < _MAX_SUCCESSION):
        seen.add(agency.id)
        following = successor_of(session, agency)
        if following is None:
            break
        agency = following
    return agency.id if agency is not None else agency_id


def answering_unit(session: Session, unit_id: int | None, agency_id: int) -> int | None:
    """The unit a step keeps in the agency answering for it: the same one when it belongs to that agency
    and is still open; otherwise none (the step is offered to the role across the whole agency)."""
    if unit_id is None:
        return None
    unit = session.get(OrgUnit, unit_id)
    if unit is None or unit.agency_id != agency_id or (unit.valid_to is not None
                                                       and unit.valid_to < vietnam_date(utcnow())):
        return None
    return unit_id


@dataclass
class HandOver:
    """What a reorganisation handed from a predecessor to its successor."""

    tasks: int = 0
    documents: int = 0
    records: list[str] | None = None


def hand_over_work(session: Session, old: Agency, new: Agency, unit_map: dict[int, int | None], change_set: str,
                   actor_id: int | None) -> HandOver:
    """Hand a predecessor's open tasks, documents in progress and open hồ sơ to its successor; audited.

    Tasks go to the successor's unit that ``unit_map`` names for their unit (none: offered to the role
    across the successor), documents get the successor as the agency answering for them (their issuing
    codes stay as issued), open hồ sơ change owner unless the successor holds one with the same code.
    Every moved row gets an event naming both agencies and the change set.
    """
    done = HandOver(records=[])
    provenance = {"from_agency_id": old.id, "to_agency_id": new.id, "change_set": change_set}
    for task in session.exec(select(Task).where(Task.agency_id == old.id, col(Task.status).in_(_OPEN_TASK_STATUSES))
                             .order_by(Task.id)):
        unit_id = unit_map.get(task.unit_id) if task.unit_id is not None else None
        record(session, actor_id, "task.handed_over", "document", task.document_id, task_id=task.id,
               step=task.step, from_unit_id=task.unit_id, to_unit_id=unit_id, **provenance)
        task.agency_id, task.unit_id = new.id, unit_id
        session.add(task)
        done.tasks += 1
    for document in session.exec(select(Document).where(Document.agency_id == old.id,
                                                         col(Document.status).in_(_PENDING_DOCUMENT_STATUSES))
                                 .order_by(Document.id)):
        record(session, actor_id, "document.handed_over", "document", document.id, status=document.status,
               **provenance)
        document.agency_id = new.id
        session.add(document)
        done.documents += 1
    for file in session.exec(select(RecordFile).where(RecordFile.agency_id == old.id,
                                                      RecordFile.closed == False)  # noqa: E712
                             .order_by(RecordFile.id)):
        clash = session.exec(select(RecordFile.id).where(
            RecordFile.agency_id == new.id, RecordFile.file_catalog == file.file_catalog,
            RecordFile.file_notation == file.file_notation)).first()
        if clash is not None:
            raise Conflict("org_record_clash", notation=file.file_notation, year=file.file_catalog, name=new.name)
        record(session, actor_id, "record.handed_over", "record", file.id, file_notation=file.file_notation,
               file_catalog=file.file_catalog, **provenance)
        file.agency_id = new.id
        session.add(file)
        done.records.append(f"{file.file_notation}/{file.file_catalog}")
    session.flush()
    return done
