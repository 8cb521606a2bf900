"""``qlvb users reset-two-factor``: the operator's way back in when an administrator lost both the
phone and the recovery codes (the web reset needs an administrator who can still log in)."""

from __future__ import annotations

import pyotp
from sqlmodel import select

import cli
from commands import two_factor
from config.settings import get_settings
from models.audit import AuditEvent
from models.db import make_engine, reading, utcnow
from models.org.repo import get_by_username
from models.org.tables import RecoveryCode, TwoFactor
from models.org.two_factor import time_step


def test_the_operator_resets_an_administrators_second_factor(seeded_var, capsys):
    settings = get_settings()
    engine = make_engine(f"sqlite:///{seeded_var / 'qlvb.db'}")
    enrolment = two_factor.start_enrolment(settings, "admin")
    secret = enrolment.secret_text.replace(" ", "")
    with reading(engine) as session:
        admin_id = get_by_username(session, "admin").id
    code = pyotp.TOTP(secret).generate_otp(time_step(utcnow()))
    assert len(two_factor.enable(engine, settings, admin_id, enrolment.sealed, code)) == 10

    assert cli.main(["users", "reset-two-factor", "admin"]) == 0
    assert "Đã tắt xác thực hai bước của «admin»" in capsys.readouterr().out
    with reading(engine) as session:
        assert session.get(TwoFactor, admin_id) is None
        assert session.exec(select(RecoveryCode).where(RecoveryCode.user_id == admin_id)).first() is None
        reset = session.exec(select(AuditEvent).where(AuditEvent.code == "auth.two_factor_reset")).one()
        assert reset.subject_id == str(admin_id) and reset.actor_id is None

    assert cli.main(["users", "reset-two-factor", "admin"]) == 2  # nothing left to reset
    assert "chưa bật xác thực hai bước" in capsys.readouterr().err
    engine.dispose()
