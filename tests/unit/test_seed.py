"""Re-seeding never undoes what administrators changed."""

from __future__ import annotations

import pytest

from models.db import transaction
from models.errors import NotFound
from models.org.repo import create_user
from models.processes import repo as definition_repo
from models.processes.schema import DEFAULT_INCOMING
from models.seed.demo import seed_demo
from models.vocab import Role
from tests.conftest import DEMO_PASSWORD


def test_it_keeps_an_administrators_process_version_when_seeding_again(seeded_sqlite):
    changed = DEFAULT_INCOMING.model_copy(deep=True)
    changed.steps[1].working_days = 3
    with transaction(seeded_sqlite) as session:
        row, created = definition_repo.publish(session, changed, actor_id=None)
    assert created and row.version == 2
    with transaction(seeded_sqlite) as session:
        seed_demo(session, DEMO_PASSWORD)
    with transaction(seeded_sqlite) as session:
        current = definition_repo.current(session, DEFAULT_INCOMING.key)
        assert current.version == 2 and current.body["steps"][1]["working_days"] == 3


def test_it_refuses_a_user_in_an_unknown_agency_with_a_domain_error(seeded_sqlite):
    with transaction(seeded_sqlite) as session, pytest.raises(NotFound) as refused:
        create_user(session, username="moi", full_name="Người mới", agency_code="000.00.99.H23",
                    roles=[Role.OFFICER])
    assert refused.value.code == "agency_not_found"


def test_it_gives_every_seeded_agency_both_code_forms(seeded_sqlite):
    from sqlmodel import select

    from models.org.tables import Agency, AgencyCode
    from models.registers.numbering import qd20_from_qcvn102

    assert qd20_from_qcvn102("000.00.00.H23") == "H23"
    assert qd20_from_qcvn102("000.00.01.H23") == "H23.01"
    assert qd20_from_qcvn102("000.01.20.H23") == "H23.20.01"
    with transaction(seeded_sqlite) as session:
        office = session.exec(select(Agency).where(Agency.code == "000.00.01.H23")).one()
        assert office.qd20_code == "H23.01"
        schemes = {c.scheme for c in session.exec(select(AgencyCode).where(AgencyCode.agency_id == office.id))}
        assert schemes == {"qcvn102", "qd20"}
