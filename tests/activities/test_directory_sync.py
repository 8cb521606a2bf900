"""The hub's agency directory flows into the organisation tree (DOMAIN §10.3): through the real
client and the in-process simulator, then rule by rule."""

from __future__ import annotations

from datetime import date

import httpx
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.exchange import ExchangeActivities
from devservers.hub.directory import DirectoryEntry
from devservers.hub.simulator import create_app
from devservers.hub.store import HubStore
from models.db import transaction
from models.documents.file_store import FileStore
from models.exchange.directory_sync import DirectoryRow, apply_directory
from models.exchange.hub_client import HubClient
from models.exchange.hub_systems import HubSystem
from models.exchange.repo import our_agency
from models.org.tables import Agency, AgencyCode
from tests.helpers import make_settings

TODAY = date(2026, 11, 26)


def _agency(session, code: str) -> Agency | None:
    return session.exec(select(Agency).where(Agency.code == code)).first()


async def test_the_activity_applies_the_simulators_directory(seeded_sqlite, tmp_path):
    store = HubStore(tmp_path / "hub.db")
    store.register_system(HubSystem("qlvb-test", "secret", ("000.00.01.H23",)))
    store.seed_directory([
        DirectoryEntry("000.00.01.H23", "Văn phòng Ủy ban nhân dân tỉnh Hà Nam"),
        DirectoryEntry("000.00.00.G09", "Bộ Nội vụ"),
        DirectoryEntry("000.00.00.G12", "Bộ Tài chính", old_code="000.00.00.G99"),
        DirectoryEntry("000.00.00.G22", "Văn phòng Chính phủ", deleted=True),
    ])
    app = create_app(store)
    settings = make_settings(tmp_path, "unused")

    def hub() -> HubClient:
        return HubClient("http://hub.test", "qlvb-test", "secret",
                         http=httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test"))

    activities = ExchangeActivities(seeded_sqlite, FileStore(settings.files_dir), settings, hub_factory=hub)
    first = await ActivityEnvironment().run(activities.sync_hub_directory)
    again = await ActivityEnvironment().run(activities.sync_hub_directory)
    assert (first["added"], first["aliases"], first["closed"]) == (1, 1, 1)
    assert first["qd20"] >= 1  # QĐ 20 codes of outside agencies (Bộ Tài chính below)
    assert again == {"added": 0, "renamed": 0, "aliases": 0, "closed": 0, "qd20": 0, "ours_differ": 0}
    with transaction(seeded_sqlite) as session:
        finance = _agency(session, "000.00.00.G12")
        assert (finance.name, finance.hosted) == ("Bộ Tài chính", False)
        aliases = session.exec(select(AgencyCode.scheme, AgencyCode.code).where(AgencyCode.agency_id == finance.id)).all()
        assert sorted(aliases) == [("qcvn102", "000.00.00.G99"), ("qd20", finance.qd20_code)]
        assert finance.qd20_code and finance.qd20_code != "000.00.00.G12"
        assert _agency(session, "000.00.00.G22").valid_to is not None


def test_renames_keep_the_old_name_in_the_log_and_never_touch_our_agencies(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        report = apply_directory(session, [
            DirectoryRow("000.00.00.G09", "Bộ Nội vụ (tên mới)"),
            DirectoryRow("000.00.05.H23", "Sở Công Thương tỉnh Ninh Bình"),  # one of ours
            DirectoryRow("000.00.02.H23", "Sở Nội vụ tỉnh Hà Nam", deleted=True),  # one of ours
        ], TODAY)
    assert report.renamed == ["000.00.00.G09"]
    assert sorted(report.ours_differ) == ["000.00.02.H23", "000.00.05.H23"]
    with transaction(seeded_sqlite) as session:
        assert _agency(session, "000.00.00.G09").name == "Bộ Nội vụ (tên mới)"
        ours = _agency(session, "000.00.05.H23")
        assert ours.name == "Sở Công Thương tỉnh Hà Nam" and ours.valid_to is None
        assert _agency(session, "000.00.02.H23").valid_to is None


def test_an_old_code_of_one_of_our_agencies_resolves_to_it(seeded_sqlite):
    with transaction(seeded_sqlite) as session:
        apply_directory(session, [DirectoryRow("000.00.02.H23", "Sở Nội vụ tỉnh Hà Nam", old_code="000.00.92.H23")],
                        TODAY)
    with transaction(seeded_sqlite) as session:
        assert our_agency(session, "000.00.92.H23").code == "000.00.02.H23"
        assert our_agency(session, "000.00.00.G09") is None  # outside: not ours
