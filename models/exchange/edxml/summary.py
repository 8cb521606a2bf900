"""A package as plain JSON-ready data, for people and tools (``qlvb edxml validate``).

Dates are ISO ``yyyy-MM-dd``, times ISO 8601 with ``+07:00`` (architecture: API times);
attachments are described by name, type, size and SHA-256, never by their bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, datetime
from enum import Enum

from models.exchange.edxml.package import Attachment, EdocPackage, StatusPackage, UnpackedFile
from models.exchange.edxml.problems import Problem
from models.registers.numbering import VIETNAM


def package_as_json(package: EdocPackage | StatusPackage) -> dict:
    """Every field of the package, nested as in the dataclasses."""
    data = _plain(package)
    if isinstance(package, StatusPackage):
        data["status_name"] = package.status_name
    else:
        data["target_document_id"] = package.target_document_id
    return data


def problem_as_json(problem: Problem) -> dict:
    return {"path": problem.path, "code": problem.code, "message": problem.message_vi}


def _file(name: str, content_type: str | None, data: bytes) -> dict:
    described = {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if content_type is not None:
        described["content_type"] = content_type
    return described


def _plain(value):
    if isinstance(value, Attachment):
        described = _file(value.name, value.content_type, value.data)
        described.update(content_id=value.content_id, description=value.description,
                         detected_type=value.detected_type,
                         unpacked=[_plain(member) for member in value.unpacked])
        return described
    if isinstance(value, UnpackedFile):
        return _file(value.name, None, value.data)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(VIETNAM).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value
