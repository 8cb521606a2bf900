"""The hub simulator's agency directory (EDXML.md §9.2 ``getAgenciesList*``, DOMAIN.md §10).

The real hub returns each agency in both code forms: QCVN 102 (``000.00.01.H23``, level 1 on
the right) and QĐ 20/2020 (level 1 first). The demo directory is QLVB's demo agency list plus a
few entries that differ from it on purpose, so directory synchronisation has something to find:
a renamed agency, a new code that replaces an old one (``oldCode``) and closed units (``deleted``).
These are demo values, not real directory data.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_MODIFIED = "2025-07-01T00:00:00+07:00"


@dataclass(frozen=True)
class DirectoryEntry:
    """One agency as the hub's directory knows it."""

    code102: str
    name: str
    parent_code102: str | None = None
    mail: str = ""
    old_code: str = ""
    version: int = 1
    modify_date: str = "2020-09-15T00:00:00+07:00"
    deleted: bool = False
    is_agency: bool = True

    @property
    def code_qd20(self) -> str:
        return qd20_code(self.code102)


def qd20_code(code102: str) -> str:
    """The QĐ20 form of a QCVN 102 code: groups reversed, trailing unused (all-zero) levels dropped.

    ``000.00.01.H23`` → ``H23.01``; ``000.01.20.H23`` → ``H23.20.01``. The exact padding the hub
    uses for QĐ20 codes is [INFERRED] from DOMAIN.md §10.1 (level 1 first, at most 35 characters).
    """
    groups = list(reversed(code102.split(".")))
    while len(groups) > 1 and set(groups[-1]) == {"0"}:
        groups.pop()
    return ".".join(groups)


def demo_directory() -> list[DirectoryEntry]:
    """QLVB's demo agencies (``models.seed.data.AGENCIES``) with the deliberate differences above."""
    from models.seed.data import AGENCIES

    renamed = {"000.00.05.H23": "Sở Công Thương tỉnh Ninh Bình"}  # a newer name than QLVB's
    entries = []
    for code, name, _abbr, _kind, parent, _place, _valid_from, valid_to, _hosted in AGENCIES:
        entries.append(DirectoryEntry(
            code102=code,
            name=renamed.get(code, name),
            parent_code102=parent,
            version=2 if code in renamed else 1,
            modify_date=DEMO_MODIFIED if code in renamed or valid_to else DirectoryEntry.modify_date,
            deleted=valid_to is not None,  # closed units stay listed, flagged, like the hub's sync
        ))
    # A new code replacing an old one: the former thị xã Duy Tiên continues as a phường.
    entries.append(DirectoryEntry(code102="000.00.44.H23", name="Ủy ban nhân dân phường Duy Tiên",
                                  parent_code102="000.00.00.H23", old_code="000.00.21.H23",
                                  modify_date=DEMO_MODIFIED))
    return entries
