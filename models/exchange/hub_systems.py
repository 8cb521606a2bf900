"""Connected systems of the hub and their shared secrets (EDXML.md §9.1), as the file ``var/hub/systems.json`` keeps them.

A *system* is one connected installation: the id and secret its requests are signed with and the
agency codes it may send for. The client reads its own secret here (``client_secret``); the hub
simulator (``devservers.hub``) writes and serves the file.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

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
