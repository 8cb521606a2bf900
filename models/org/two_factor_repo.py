"""The SQL of second factors: TOTP secrets, the last accepted time step, recovery codes.

Accepting a code and using a recovery code are single conditional updates, so two requests
carrying the same code at once cannot both succeed (on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from models.org.tables import RecoveryCode, TwoFactor


def factor_of(session: Session, user_id: int) -> TwoFactor | None:
    """The person's second factor, or None when they have not enrolled."""
    return session.get(TwoFactor, user_id)


def has_factor(session: Session, user_id: int) -> bool:
    return session.exec(select(TwoFactor.user_id).where(TwoFactor.user_id == user_id)).first() is not None


def enrolled_user_ids(session: Session) -> set[int]:
    """Everyone with a second factor (the administrator's account list marks them)."""
    return set(session.exec(select(TwoFactor.user_id)))


def enable(session: Session, user_id: int, secret: str, step: int, code_hashes: list[str]) -> None:
    """Store a confirmed factor (``secret`` already encrypted, ``step`` the confirming code's)."""
    session.add(TwoFactor(user_id=user_id, secret=secret, last_step=step))
    session.flush()
    replace_recovery_codes(session, user_id, code_hashes)


def replace_recovery_codes(session: Session, user_id: int, code_hashes: list[str]) -> None:
    """Forget every recovery code of the person and keep these instead."""
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    for code_hash in code_hashes:
        session.add(RecoveryCode(user_id=user_id, code_hash=code_hash))
    session.flush()


def remove(session: Session, user_id: int) -> bool:
    """Remove the person's factor and recovery codes; False when there was none."""
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    result = session.execute(delete(TwoFactor).where(col(TwoFactor.user_id) == user_id))
    return result.rowcount > 0


def advance_step(session: Session, user_id: int, step: int) -> bool:
    """Record ``step`` as the last accepted one, only if it is later than the stored one."""
    result = session.execute(update(TwoFactor)
                             .where(col(TwoFactor.user_id) == user_id, col(TwoFactor.last_step) < step)
                             .values(last_step=step))
    return result.rowcount == 1


def use_recovery_code(session: Session, user_id: int, code_hash: str, now: datetime) -> bool:
    """Spend an unused recovery code; False when it is unknown or already used."""
    result = session.execute(update(RecoveryCode)
                             .where(col(RecoveryCode.user_id) == user_id, col(RecoveryCode.code_hash) == code_hash,
                                    col(RecoveryCode.used_at).is_(None))
                             .values(used_at=now))
    return result.rowcount == 1


def recovery_codes_left(session: Session, user_id: int) -> int:
    return session.exec(select(func.count()).select_from(RecoveryCode)
                        .where(RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None))).one()
