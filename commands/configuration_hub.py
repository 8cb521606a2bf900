"""Hub settings an administrator sees and changes (EDXML §9.1; ND30 PL VI Mục IV: configure interconnections).

The connection itself (endpoint, system id, shared secret, poll interval, hash form, clock
tolerance) is the installation's: it comes from the settings (``QLVB_HUB_*``), is shown read-only,
and the secret is never shown, only whether one is configured and where it comes from. What the
database keeps is each agency's identity on the hub, the contact fields of the ``From`` of its
packages; its administrator changes it, audited with the values before and after.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from commands.configuration import admin_scope, configurable_agency, managed_agency
from config.settings import Settings
from models.audit import record
from models.db import reading, transaction
from models.exchange import identity_repo
from models.exchange.hub_systems import SYSTEMS_FILE
from models.exchange.identity import clean_identity
from models.org.tables import Agency
from models.vocab import Role


@dataclass
class HubConnectionView:
    """The installation's connection to the hub, as configured; ``secret_source`` names where the
    secret comes from (``environment``, ``simulator``) or ``missing``, never the secret."""

    endpoint: str
    simulator: bool
    system_id: str
    secret_source: str
    poll_seconds: int
    hash_file_padded: bool
    max_skew_seconds: int


@dataclass
class HubIdentityView:
    """An agency's identity on the hub: its codes (from the organisation tree) and its contact fields."""

    agency_code: str
    agency_name: str
    qd20_code: str
    organization_in_charge: str
    organ_add: str
    email: str
    telephone: str
    fax: str
    website: str


def connection(settings: Settings) -> HubConnectionView:
    """What the settings say about the hub connection, secrets left out."""
    if settings.hub_secret is not None and settings.hub_secret.get_secret_value():
        source = "environment"
    elif (settings.hub_dir / SYSTEMS_FILE).exists():
        source = "simulator"
    else:
        source = "missing"
    return HubConnectionView(settings.effective_hub_url, not settings.hub_url, settings.hub_system_id, source,
                             settings.hub_poll_seconds, settings.hub_hash_file_padded, settings.hub_max_skew_seconds)


def _view(agency: Agency, values: dict[str, str]) -> HubIdentityView:
    return HubIdentityView(agency.code, agency.name, agency.qd20_code or "", **values)


def hub_identity(engine: Engine, *, actor_id: int, roles: set[Role], agency_code: str) -> HubIdentityView:
    """The agency's identity on the hub."""
    with reading(engine) as session:
        agency = managed_agency(session, admin_scope(session, actor_id, roles), agency_code)
        return _view(agency, identity_repo.identity_of(session, agency.id))


def change_hub_identity(engine: Engine, *, actor_id: int, roles: set[Role], agency_code: str,
                        values: dict[str, str]) -> HubIdentityView:
    """Replace the agency's contact fields; packages built from now on carry them.

    Every field is checked before anything is written (``identity.clean_identity``); packages
    already built keep the bytes they were built with.
    """
    cleaned = clean_identity(values)
    with transaction(engine) as session:
        agency = configurable_agency(session, admin_scope(session, actor_id, roles), agency_code)
        before = identity_repo.identity_of(session, agency.id)
        if before == cleaned:
            return _view(agency, before)
        identity_repo.save_identity(session, agency.id, cleaned, actor_id)
        session.flush()
        changed = sorted(name for name in cleaned if cleaned[name] != before[name])
        record(session, actor_id, "config.hub_identity_changed", "agency", agency.id, agency=agency.code,
               fields=changed, before={name: before[name] for name in changed},
               after={name: cleaned[name] for name in changed})
        return _view(agency, cleaned)
