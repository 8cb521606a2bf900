"""Fixtures shared by the activity-tier tests of the organisation tree and its reorganisation."""

from __future__ import annotations

import pytest

from models.db import transaction
from models.org.tables import Agency
from models.vocab import AgencyKind
from tests.factories import make_org


@pytest.fixture
def world(engine):
    """A province with one hosted agency (the factories' Văn phòng, with people), and an admin id."""
    with transaction(engine) as session:
        office = make_org(session, "000.00.01.H23")
        province = Agency(code="000.00.00.H23", name="Ủy ban nhân dân tỉnh Hà Nam", abbreviation="UBND",
                          kind=AgencyKind.PROVINCE, place_name="Hà Nam")
        session.add(province)
        session.flush()
        admin = office.users["leader"].id
    return engine, office, province.id, admin
