"""Two QLVB installations on one machine sharing one in-process hub simulator (issue 5).

Used by tests/workflows/test_two_installations.py and bench/exchange_latency.py. A is the province
(the usual demo seed, hub system "qlvb-a" serving its hosted agencies); B is the ministry
(``seed_ministry``: Bộ Nội vụ hosted, hub system "qlvb-b"). Each has its own SQLite file, var
directory (file store, demo PKI, trust anchors), Temporal namespace and worker; they share only the
hub. The receive loop is driven by calling ``Installation.poll`` (what the ``HubPoll`` schedule runs).
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from google.protobuf.duration_pb2 import Duration
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, RegisterNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment

import models.all  # noqa: F401
from activities.exchange import ExchangeActivities
from config.settings import Settings
from devservers.hub.directory import demo_directory
from devservers.hub.simulator import create_app
from devservers.hub.store import HubStore
from models.db import make_engine, transaction
from models.documents.file_store import FileStore
from models.exchange.hub_client import HubClient
from models.exchange.hub_systems import HubSystem
from models.exchange.tables import HubOutbox
from models.seed.data import AGENCIES
from models.seed.demo import seed_demo
from models.seed.profiles import MINISTRY_CODE, seed_ministry
from models.signing import demo_pki, pki
from tests.conftest import DEMO_PASSWORD
from tests.helpers import eventually, rows, running_worker
from workflows import search_attributes
from workflows.contracts import PollResult

PROVINCE_CODES = tuple(row[0] for row in AGENCIES if row[8])  # what installation A hosts
# name, seed, hub system id, hub secret, agencies it serves on the hub: A the province, B the ministry
SIDES = (("a", seed_demo, "qlvb-a", "secret-a", PROVINCE_CODES),
         ("b", seed_ministry, "qlvb-b", "secret-b", (MINISTRY_CODE,)))


@dataclass
class Installation:
    """One QLVB installation: its database, var directory, Temporal namespace and hub identity."""

    name: str
    engine: Engine
    settings: Settings
    client: Client
    hub_factory: object

    @property
    def exchange(self) -> ExchangeActivities:
        return ExchangeActivities(self.engine, FileStore(self.settings.files_dir), self.settings, self.client,
                                  hub_factory=self.hub_factory)

    def worker(self):
        return running_worker(self.client, self.engine, self.settings, self.hub_factory)

    async def poll(self) -> PollResult:
        """One round of the receive loop (what the ``HubPoll`` schedule runs)."""
        return await ActivityEnvironment().run(self.exchange.poll_hub)

    def pending_sends(self, document_id: str) -> list[HubOutbox]:
        return rows(self.engine, HubOutbox, HubOutbox.document_id == document_id,
                    HubOutbox.transport_status == "pending")

    async def all_sent(self, document_id: str, timeout: float = 30) -> None:
        await eventually(lambda: not self.pending_sends(document_id), timeout=timeout)


def make_pki(root: Path) -> Path:
    """A demo PKI with its own root under ``root``; the directory to copy into a var directory."""
    demo_pki.ensure_demo_pki(Settings(var_dir=root))
    return root / "pki"


async def create_namespace(client: Client, name: str) -> Client:
    """Register a namespace with QLVB's search attributes on the dev server; a client of it."""
    await client.workflow_service.register_namespace(RegisterNamespaceRequest(
        namespace=name, workflow_execution_retention_period=Duration(seconds=24 * 3600)))
    attributes = {key.name: int(key.indexed_value_type) for key in search_attributes.ALL}
    for _attempt in range(100):  # a new namespace takes a moment to reach every service
        try:
            await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=name))
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(search_attributes=attributes, namespace=name))
            break
        except RPCError:
            await asyncio.sleep(0.2)
    else:
        raise AssertionError(f"namespace {name} did not become usable")
    return await Client.connect(client.service_client.config.target_host, namespace=name)


def make_hub(directory: Path):
    """The one hub both installations talk to (in process), and a client factory per system."""
    store = HubStore(directory / "hub" / "hub.db")
    for _name, _seed, system, secret, codes in SIDES:
        store.register_system(HubSystem(system, secret, codes))
    store.seed_directory(demo_directory())
    app = create_app(store)

    def factory(system_id: str, secret: str):
        def make() -> HubClient:
            http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test")
            return HubClient("http://hub.test", system_id, secret, http=http)
        return make

    return factory


def seed_database(path: Path, seed) -> Engine:
    """A SQLite file with QLVB's tables, seeded by ``seed`` (``seed_demo`` or ``seed_ministry``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    with transaction(engine) as session:
        seed(session, DEMO_PASSWORD)
    return engine


async def set_up(client: Client, directory: Path, pki_sources: tuple[Path, Path]) -> tuple[Installation, Installation]:
    """A on ``client``'s namespace, B on a new namespace of the same server; one hub between them.

    Each gets a copy of its own PKI (``pki_sources``: A's, then B's); neither trusts the other yet.
    """
    hub = make_hub(directory)
    made = []
    for (name, seed, system, secret, _codes), pki_source in zip(SIDES, pki_sources, strict=True):
        var_dir = directory / name
        shutil.copytree(pki_source, var_dir / "pki")
        namespace = client.namespace if name == "a" else f"qlvb-b-{uuid.uuid4().hex[:8]}"
        side_client = client if name == "a" else await create_namespace(client, namespace)
        settings = Settings(var_dir=var_dir, temporal_namespace=namespace,
                            temporal_task_queue=f"qlvb-{name}-{uuid.uuid4()}",
                            hub_system_id=system, upload_max_bytes=2 * 1024 * 1024)
        made.append(Installation(name, seed_database(var_dir / "qlvb.db", seed), settings, side_client,
                                 hub(system, secret)))
    return made[0], made[1]


def trust(receiver: Installation, sender: Installation) -> None:
    """The receiver's administrator puts the sender's trust anchor into the receiver's trust directory."""
    anchors = pki.trust_dir(receiver.settings)
    (anchors / f"qlvb-{sender.name}-root-ca.pem").write_bytes(pki.trust_anchors_pem(sender.settings))


def dispose(*installations: Installation) -> None:
    for installation in installations:
        installation.engine.dispose()
