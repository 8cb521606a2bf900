"""Connected systems of the hub simulator and their secrets (EDXML.md §9.1).

A *system* is one connected installation: the id and shared secret the hub operator issues, and
the agency codes it serves. The simulator routes a package to the system serving its recipient.

Sources, in the order ``qlvb hub`` applies them: the development demo (``demo_systems``: this
installation with every hosted agency of ``models.seed.data``, and an outside "Bộ Nội vụ"
installation; secrets generated once into ``var/hub/systems.json``, mode 0600), a seed file
(JSON or TOML, same shape as ``systems.json``) and ``--system ID:SECRET:CODE[,CODE]`` pairs.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from models.exchange.hub_systems import SYSTEMS_FILE, HubSystem, load_seed

OUTSIDE_SYSTEM_ID = "bnv-dev"  # the demo "Bộ Nội vụ" installation
OUTSIDE_ORGAN_CODE = "000.00.00.G09"


def _hosted_codes() -> tuple[str, ...]:
    from models.seed.data import AGENCIES

    return tuple(row[0] for row in AGENCIES if row[8])  # column 8: hosted by this installation


def demo_systems(settings) -> list[HubSystem]:
    """This installation and the outside "Bộ Nội vụ", with secrets made once in ``var/hub/systems.json``."""
    path = settings.hub_dir / SYSTEMS_FILE
    stored = {s.system_id: s for s in load_seed(path)} if path.exists() else {}
    wanted = [(settings.hub_system_id, _hosted_codes()), (OUTSIDE_SYSTEM_ID, (OUTSIDE_ORGAN_CODE,))]
    systems = []
    for system_id, codes in wanted:
        known = stored.get(system_id)
        secret = known.secret if known else secrets.token_urlsafe(32)
        systems.append(HubSystem(system_id, secret, codes))
    systems += [s for sid, s in stored.items() if sid not in {w[0] for w in wanted}]
    if [s.to_json() for s in systems] != [s.to_json() for s in stored.values()]:
        _write_private(path, json.dumps({"systems": [s.to_json() for s in systems]},
                                        ensure_ascii=False, indent=2) + "\n")
    return systems


def _write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only (0600), replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(partial, path)


