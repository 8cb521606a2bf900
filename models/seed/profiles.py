"""Seed profiles of other installations than the province's (``qlvb seed --profile …``).

Every installation seeds the same agency tree (``models.seed.data.AGENCIES``) so that agency
codes in packages from the hub resolve to names; what differs is which agencies it *hosts*
(serves, with units, accounts and registers). The Hà Nam 2024 profile is
``models.seed.demo.seed_demo`` itself; the merged Ninh Bình of today is ``models.seed.ninh_binh``.
The ministry profile hosts Bộ Nội vụ (``000.00.00.G09``) only: the province's agencies are
another installation, reached through the national hub like any outside agency.
"""

from __future__ import annotations

from sqlmodel import Session

from models.seed.demo import seed_demo
from models.vocab import Role

MINISTRY_CODE = "000.00.00.G09"

# Internal units of the ministry: (agency code, abbreviation, name).
MINISTRY_UNITS: list[tuple[str, str, str]] = [
    (MINISTRY_CODE, "VP", "Văn phòng Bộ"),
    (MINISTRY_CODE, "VTLT", "Cục Văn thư và Lưu trữ nhà nước"),
]

# Demo accounts of the ministry: (username, full name, agency code, unit, position, roles).
MINISTRY_USERS: list[tuple[str, str, str, str | None, str, list[Role]]] = [
    ("admin.bnv", "Quản trị hệ thống Bộ", MINISTRY_CODE, "VP", "Quản trị viên", [Role.ADMIN, Role.SYSTEM_ADMIN]),
    ("vanthu.bnv", "Trịnh Thị Hạnh", MINISTRY_CODE, "VP", "Văn thư", [Role.CLERK]),
    ("lanhdao.bnv", "Ngô Quang Vinh", MINISTRY_CODE, None, "Chánh Văn phòng Bộ", [Role.AGENCY_LEADER]),
    ("truongphong.bnv", "Đặng Thu Trang", MINISTRY_CODE, "VTLT", "Cục trưởng", [Role.UNIT_LEADER]),
    ("chuyenvien.bnv", "Lương Minh Khoa", MINISTRY_CODE, "VTLT", "Chuyên viên", [Role.OFFICER]),
]

# ``ninhbinh``: the merged province in force today (``models.seed.ninh_binh``), what ``qlvb run``
# seeds; ``province``: the Hà Nam tree of 2024 the regulation's examples use (QĐ44), what the
# tests seed; ``ministry``: Bộ Nội vụ. The demo usernames are the same in both provinces.
PROFILES = ("ninhbinh", "province", "ministry")
DEFAULT_PROFILE = "ninhbinh"


def seed_ministry(session: Session, demo_password: str) -> list[str]:
    """Seed the Bộ Nội vụ installation; return the usernames created now (idempotent)."""
    return seed_demo(session, demo_password, hosted_codes={MINISTRY_CODE}, units=MINISTRY_UNITS,
                     users=MINISTRY_USERS, mail_domain="bnv.example")


def profile_users(profile: str) -> list[tuple]:
    """The demo accounts a profile creates (what ``qlvb seed`` lists)."""
    from models.seed import data, ninh_binh

    return {"ministry": MINISTRY_USERS, "ninhbinh": ninh_binh.USERS}.get(profile, data.USERS)


def profile_agencies(profile: str) -> list[tuple]:
    """The agency rows a profile seeds (their names label the demo accounts)."""
    from models.seed import data, ninh_binh

    return ninh_binh.AGENCIES if profile == "ninhbinh" else data.AGENCIES


def seed_profile(session: Session, profile: str, demo_password: str) -> list[str]:
    """Seed one profile; return the usernames created now (idempotent)."""
    from models.seed.ninh_binh import seed_ninh_binh

    if profile == "ninhbinh":
        return seed_ninh_binh(session, demo_password)
    if profile == "ministry":
        return seed_ministry(session, demo_password)
    return seed_demo(session, demo_password)
