"""Problems found in a package, the refusal exception, and the safety limits.

A ``Problem`` is both the shape of a validation error and of a warning: where (a path of
element names such as ``To[2]/OrganId``), what (a stable ``code`` for programs) and a
Vietnamese sentence for people (``message_vi``).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.errors import DomainError


@dataclass(frozen=True)
class Problem:
    """One error or warning about one place of a package."""

    path: str
    code: str
    message_vi: str

    def __str__(self) -> str:
        return self.message_vi


class EdxmlRejected(DomainError):
    """The bytes cannot be read as an edXML package at all (unsafe, not XML, not edXML…).

    ``code`` is one of the ``edxml_*`` codes that ``web/messages.py`` translates; ``problem``
    carries the same information in the library's own shape.
    """

    def __init__(self, code: str, path: str, message_vi: str, **params) -> None:
        super().__init__(code, path=path, detail=message_vi, **params)
        self.problem = Problem(path, code, message_vi)

    def __str__(self) -> str:
        return self.problem.message_vi


@dataclass(frozen=True)
class Limits:
    """Caps applied to untrusted input before the work they guard (EDXML §6 "Safety", §8.1).

    The defaults fit real packages: a signed PDF of a few MB, base64-encoded (+33 %), and a
    few attachments. ``max_depth``: real packages nest 7 levels; 32 leaves room for producers'
    wrappers while stopping deliberately deep documents long before libxml2's own 256.
    """

    max_package_bytes: int = 64 * 2**20
    max_depth: int = 32
    max_attachment_bytes: int = 48 * 2**20  # decoded size of one attachment
    max_attachments: int = 100
    max_zip_members: int = 100
    max_zip_total_bytes: int = 128 * 2**20  # uncompressed, all members together
    max_zip_ratio: int = 100  # uncompressed / compressed, per member and overall


DEFAULT_LIMITS = Limits()
