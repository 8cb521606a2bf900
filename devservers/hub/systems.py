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
import tomllib
from dataclasses import dataclass
from pathlib import Path

OUTSIDE_SYSTEM_ID = "bnv-dev"  # the demo "Bộ Nội vụ" installation
OUTSIDE_ORGAN_CODE = "000.00.00.G09"
SYSTEMS_FILE = "systems.json"


class SystemConfigError(ValueError):
    """A system definition that cannot be used; the message is Vietnamese."""


@dataclass(frozen=True)
class HubSystem:
    """One connected system: its id, shared secret and the agency codes it receives for."""

    system_id: str
    secret: str
    organ_codes: tuple[str, ...]

    def to_json(self) -> dict:
        return {"id": self.system_id, "secret": self.secret, "organs": list(self.organ_codes)}

    @classmethod
    def from_json(cls, row: dict) -> HubSystem:
        try:
            system = cls(str(row["id"]), str(row["secret"]), tuple(str(c) for c in row.get("organs", [])))
        except (KeyError, TypeError):
            raise SystemConfigError("Mỗi hệ thống cần «id», «secret» và danh sách «organs».") from None
        return system.checked()

    def checked(self) -> HubSystem:
        if not self.system_id or not self.secret or not self.organ_codes:
            raise SystemConfigError(f"Hệ thống «{self.system_id}» cần mã, khóa bí mật và ít nhất một mã cơ quan.")
        if not (self.system_id + self.secret).isascii():
            raise SystemConfigError(f"Mã và khóa bí mật của hệ thống «{self.system_id}» chỉ dùng ký tự ASCII.")
        return self


def parse_system(text: str) -> HubSystem:
    """``ID:SECRET:CODE[,CODE…]`` from the command line."""
    parts = text.split(":")
    if len(parts) != 3:
        raise SystemConfigError(f"«{text}» không đúng dạng MÃ:KHÓA_BÍ_MẬT:MÃ_CƠ_QUAN[,MÃ_CƠ_QUAN].")
    system_id, secret, codes = parts
    return HubSystem(system_id, secret, tuple(c.strip() for c in codes.split(",") if c.strip())).checked()


def load_seed(path: Path) -> list[HubSystem]:
    """Systems from a JSON or TOML file: ``{"systems": [{"id", "secret", "organs": [...]}]}``."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except OSError as error:
        raise SystemConfigError(f"Không đọc được tệp «{path}»: {error.strerror}.") from None
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise SystemConfigError(f"Tệp «{path}» không đúng định dạng: {error}.") from None
    if not isinstance(data, dict) or not isinstance(data.get("systems"), list):
        raise SystemConfigError(f"Tệp «{path}» cần danh sách «systems».")
    return [HubSystem.from_json(row) for row in data["systems"]]


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


def client_secret(settings) -> str:
    """``QLVB_HUB_SECRET``, else this installation's demo secret from ``var/hub/systems.json``."""
    if settings.hub_secret is not None and settings.hub_secret.get_secret_value():
        return settings.hub_secret.get_secret_value()
    path = settings.hub_dir / SYSTEMS_FILE
    if path.exists():
        for system in load_seed(path):
            if system.system_id == settings.hub_system_id:
                return system.secret
    raise SystemConfigError("Chưa có khóa bí mật của trục liên thông: đặt QLVB_HUB_SECRET, "
                            "hoặc chạy «qlvb hub» một lần để tạo hệ thống mẫu.")
