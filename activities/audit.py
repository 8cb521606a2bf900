"""The audit trail's daily seal: each finished day's chain head signed with the installation key.

Run by every ``Reconcile`` round (patch ``2026-12-04-audit-day-heads``); a round finds nothing to
do except on the first round after midnight (and ten minutes, so transactions open at midnight
have committed). Idempotent: a day is signed once (its row's primary key), and a day already
signed is never signed again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from temporalio import activity

from config.settings import Settings
from models.audit_trail import day_heads
from models.db import transaction, utcnow
from workflows.contracts import ActivityName


class AuditActivities:
    """Signing the audit chain's day heads."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    @activity.defn(name=ActivityName.SIGN_AUDIT_DAY_HEADS)
    def sign_audit_day_heads(self) -> int:
        """Sign every finished day not signed yet (a month at most); return how many were signed."""
        return sign_pending_days(self.engine, self.settings)


def sign_pending_days(engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    """One transaction: the heads of the finished, unsigned days, signed and stored."""
    key = day_heads.signing_key(settings)
    with transaction(engine) as session:
        days = day_heads.days_to_sign(session, now or utcnow())
        for day in days:
            day_heads.sign_day(session, key, day)
    return len(days)
